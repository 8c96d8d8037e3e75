// Peak memory and time of `tfjs-vit convert` on a ViT-B/16-sized checkpoint (random weights, 346 MB
// float32 safetensors written into /tmp at bench time, never committed), per output format and
// backend. Each conversion is its own process; its peak is the kernel's high-water mark of its own
// memory (VmHWM in /proc/self/status). Not getrusage's maxRSS: on Linux that survives fork + exec,
// so a child would report the parent's size when the parent is larger (this bench's parent made the
// 346 MB checkpoint: every conversion then seemed to peak at ≥ 2x). The checkpoint is written by a
// child process of its own for the same reason. The last row loads the tfjs output back with loadModel.
// Another build: `BENCH_DIST=/path/to/packages/cli/dist/ BENCH_CONVERT=/path/to/packages/convert/dist/index.js`.
// Run after a build: `npx turbo run build --filter=@tfjs-vit/cli && node packages/cli/bench/convert.bench.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = process.env.BENCH_DIST ?? `${here}../dist/`;
const work = '/tmp/tfjs-vit-cli-bench';
const ckpt = `${work}/vit_base_patch16_224.safetensors`;

if (process.argv[2] === '--child') {
  // Runs the CLI in this process and reports its time and peak memory as JSON on stdout.
  const { runCli } = await import(`${dist}index.js`);
  const t0 = performance.now();
  const code = await runCli(process.argv.slice(3), { out: () => {}, err: (l) => process.stderr.write(`${l}\n`) });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ code, seconds, peak: peakBytes() }));
  process.exit(0);
}

if (process.argv[2] === '--load') {
  // loadModel of the tfjs directory written above: the way back, measured the same way
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { loadModel } = await import(process.env.BENCH_CONVERT ?? '@tfjs-vit/convert');
  const t0 = performance.now();
  const model = await loadModel(process.argv[3]);
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  process.stdout.write(JSON.stringify({ code: 0, seconds, peak: peakBytes() }));
  process.exit(0);
}

/** This process's peak resident memory: VmHWM (Linux), else getrusage's maxRSS. */
function peakBytes() {
  const m = /VmHWM:\s*(\d+) kB/.exec(existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '');
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

mkdirSync(work, { recursive: true });
if (process.argv[2] === '--make') {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { createModel } = await import('@tfjs-vit/models');
  const { saveSafetensors } = await import('@tfjs-vit/convert');
  await tf.setBackend('cpu');
  const model = createModel('vit_base_patch16_224');
  await saveSafetensors(model, ckpt, { metadata: { format: 'pt' } });
  model.dispose();
  process.exit(0);
}
if (!existsSync(ckpt)) {
  const made = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--make'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
}
const size = statSync(ckpt).size;
console.log(`checkpoint: ${(size / 1e6).toFixed(0)} MB (vit_base_patch16_224, float32 safetensors); 2-core VM`);
console.log('| output | backend | seconds | peak RSS | peak / checkpoint |');
console.log('| --- | --- | --- | --- | --- |');
const jobs = [
  ['tfjs', 'cpu', ['--out', `${work}/web`]],
  ['tfjs float16', 'cpu', ['--out', `${work}/web16`, '--dtype', 'float16']],
  ['tfjs', 'wasm', ['--out', `${work}/webw`]],
  ['safetensors', 'cpu', ['--out', `${work}/copy.safetensors`]],
  ['onnx', 'cpu', ['--out', `${work}/vit.onnx`]],
  ['loadModel(tfjs dir) ← back', 'cpu', null],
];
for (const [label, backend, args] of jobs) {
  const argv = args ? ['--child', 'convert', ckpt, '--backend', backend, '--plain', ...args] : ['--load', `${work}/web`];
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...argv], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const r = JSON.parse(run.stdout);
  if (r.code !== 0) throw new Error(run.stderr);
  console.log(`| ${label} | ${backend} | ${r.seconds.toFixed(1)} | ${(r.peak / 1e6).toFixed(0)} MB | ${(r.peak / size).toFixed(2)} |`);
}
rmSync(work, { recursive: true, force: true });
