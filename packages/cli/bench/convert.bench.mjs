// Peak memory and time of `tfjs-vit convert` on a ViT-B/16-sized checkpoint (random weights, 346 MB
// float32 safetensors written into /tmp at bench time, never committed), per output format and
// backend. Each conversion is its own process, measured with getrusage (maxRSS) by a tiny wrapper.
// Run after a build: `npx turbo run build --filter=@tfjs-vit/cli && node packages/cli/bench/convert.bench.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = `${here}../dist/cli.js`;
const work = '/tmp/tfjs-vit-cli-bench';
const ckpt = `${work}/vit_base_patch16_224.safetensors`;

if (process.argv[2] === '--child') {
  // Runs the CLI in this process so getrusage sees its peak, then reports it on stderr's last line.
  const { runCli } = await import(`${here}../dist/index.js`);
  const t0 = performance.now();
  const code = await runCli(process.argv.slice(3), { out: () => {}, err: (l) => process.stderr.write(`${l}\n`) });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ code, seconds, peak: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}

mkdirSync(work, { recursive: true });
if (!existsSync(ckpt)) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { createModel } = await import('@tfjs-vit/models');
  const { saveSafetensors } = await import('@tfjs-vit/convert');
  await tf.setBackend('cpu');
  const model = createModel('vit_base_patch16_224');
  await saveSafetensors(model, ckpt, { metadata: { format: 'pt' } });
  model.dispose();
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
];
for (const [label, backend, args] of jobs) {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', 'convert', ckpt, '--backend', backend, '--plain', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const r = JSON.parse(run.stdout);
  if (r.code !== 0) throw new Error(run.stderr);
  console.log(`| ${label} | ${backend} | ${r.seconds.toFixed(1)} | ${(r.peak / 1e6).toFixed(0)} MB | ${(r.peak / size).toFixed(2)} |`);
}
rmSync(work, { recursive: true, force: true });
