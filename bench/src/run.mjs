// `npm run bench [-- --quick] [--json FILE] [--markdown FILE] [--docs docs/results.md] [--runs N] [--only REGEX]`:
// every case on ours (tfjs-wasm, 1 and 2 threads, one process each) and on the peers —
// onnxruntime-web (wasm, 1 and 2 threads), onnxruntime-node, PyTorch (when /usr/bin/python3 has
// torch) — on the same weights and input; medians after a warm-up, ours at its best thread count
// over each peer as ratios, and the largest logit difference from ours, so a fast wrong answer
// shows. Then checkpoint conversions (.pth → ONNX / safetensors), one process each for its peak
// RSS. `--only` keeps the cases whose name matches. Figures only: nothing here asserts a time.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCases, convertCases, loaderCase, readArray } from './cases.mjs';
import { replaceDocsSection, summarize, summarizeConversions, summarizeLoader, toMarkdown } from './report.mjs';
import { poolCases, poolMarkdown, summarizePool } from './pool_report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
/** The options that change what is measured (not where it is written), for the report's command line. */
const passed = args.filter((a, i) => !['--json', '--markdown', '--docs'].includes(a) && !['--json', '--markdown', '--docs'].includes(args[i - 1]));
const runs = Number(option('--runs') ?? (quick ? 2 : 5));
const PYTHON = process.env.TFJS_VIT_PYTHON ?? '/usr/bin/python3';

/** Runs a child, echoing its stderr, and returns the JSON lines it printed. */
function child(command, argv, label) {
  return new Promise((resolve, reject) => {
    const p = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const row = JSON.parse(line);
        rows.push(row);
        console.error(`  ${row.case} ${row.engine} ${row.threads} thread${row.threads === 1 ? '' : 's'}: ${row.seconds.toFixed(4)} s`);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${label} exited with ${code}`))));
  });
}

function torchVersion() {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const hasTorchvision = () => spawnSync(PYTHON, ['-c', 'import torchvision'], { encoding: 'utf8' }).status === 0;

const version = (pkg) => JSON.parse(readFileSync(join(here, '..', '..', 'node_modules', pkg, 'package.json'), 'utf8')).version;

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-bench-'));
const skipped = [];
try {
  const only = option('--only') ? new RegExp(option('--only')) : /./;
  const cases = benchCases(quick).filter((c) => only.test(c.name));
  const conversions = convertCases(quick).filter((c) => only.test(c.name));
  const loader = [loaderCase(quick)].find((c) => only.test(c.name));
  const pool = poolCases(quick).filter((c) => only.test(c.name));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
  writeFileSync(join(dir, 'conversions.json'), JSON.stringify(conversions));
  const cores = availableParallelism();
  const threadCounts = [...new Set([1, Math.min(2, cores)])];
  console.error(`bench${quick ? ' --quick' : ''}: ${cases.length} cases, median of ${runs} after a warm-up, ${cores} cores; work dir ${dir}`);
  for (const [i, t] of threadCounts.entries()) {
    await child(process.execPath, [join(here, 'ours.mjs'), dir, String(t), String(runs), ...(i === 0 ? ['--prepare'] : [])], `ours (${t} threads)`);
  }
  for (const t of threadCounts) await child(process.execPath, [join(here, 'ort_peer.mjs'), dir, 'web', String(t), String(runs)], 'onnxruntime-web');
  await child(process.execPath, [join(here, 'ort_peer.mjs'), dir, 'node', String(cores), String(runs)], 'onnxruntime-node');
  const torch = torchVersion();
  if (torch) await child(PYTHON, [join(here, 'torch_peer.py'), dir, String(cores), String(runs)], 'pytorch');
  else skipped.push(`pytorch: ${PYTHON} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`);
  for (const c of conversions) {
    const pth = join(dir, `${c.model}.pth`);
    if (torch && !existsSync(pth)) await child(PYTHON, [join(here, 'torch_peer.py'), '--save-pth', dir, c.model], 'torch.save');
    const input = torch ? pth : join(dir, `${c.model}.safetensors`);
    await child(process.execPath, [join(here, 'convert_case.mjs'), c.name, input, join(dir, `${c.model}.converted.${c.format}`)], `convert ${c.name}`);
  }
  if (conversions.length && !torch) skipped.push('the .pth input of the conversions (no torch to write it): converted from safetensors instead');
  if (loader) {
    const workers = loader.workers.map(String);
    await child(process.execPath, [join(here, 'loader_case.mjs'), dir, String(loader.count), ...workers], 'loader');
    if (torch && hasTorchvision()) await child(PYTHON, [join(here, 'torch_loader.py'), dir, ...workers], 'torchvision loader');
    else skipped.push(`torchvision loader: ${PYTHON} has no torch/torchvision (apt-get install -y python3-torchvision)`);
  }
  if (pool.length) {
    writeFileSync(join(dir, 'pool_cases.json'), JSON.stringify(pool));
    await child(process.execPath, [join(here, 'pool_case.mjs'), dir, String(Math.min(runs, 3)), ...(quick ? ['--quick'] : [])], 'predict pool');
  }
  for (const s of skipped) console.error(`SKIPPED ${s}`);

  const logits = (c, engine) => {
    const f = join(dir, `${c.name.replaceAll('/', '_')}.${engine}.f32`);
    return existsSync(f) ? readArray(f) : undefined;
  };
  const machine = {
    cpu: cpus()[0]?.model, cores, memory_gib: +(totalmem() / 2 ** 30).toFixed(1), node: process.versions.node, platform: `${process.platform}-${process.arch}`,
    tfjs: version('@tensorflow/tfjs-backend-wasm'), 'onnxruntime-web': version('onnxruntime-web'), 'onnxruntime-node': version('onnxruntime-node'), pytorch: torch ?? null,
  };
  const configs = Object.fromEntries([...cases, ...conversions].map((c) => [c.model, JSON.parse(readFileSync(join(dir, `${c.model}.json`), 'utf8'))]));
  const report = { machine, quick, runs, command: `npm run bench${passed.length ? ` -- ${passed.join(' ')}` : ''}`, skipped, results: summarize(cases, rows, logits, configs), conversions: summarizeConversions(conversions, rows), loader: loader ? summarizeLoader(loader, rows) : [], pool: summarizePool(pool, rows) };
  const md = toMarkdown(report) + poolMarkdown(report.pool, cores);
  console.log(md);
  const json = option('--json');
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = option('--markdown');
  if (markdown) writeFileSync(markdown, `${md}\n`);
  const docs = option('--docs');
  if (docs) writeFileSync(docs, replaceDocsSection(readFileSync(docs, 'utf8'), md));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
