// Reading speed and peak memory of readCheckpoint on a ~400 MB ViT-shaped float32 checkpoint
// written by real torch.save (generated into /tmp at bench time, never committed). Each read runs
// in a fresh child process, reporting its own peak RSS (VmHWM). Run: `npm run bench`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MB = 1e6;
const here = fileURLToPath(new URL('.', import.meta.url));

async function child(mode, path, backend) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
  const { readCheckpoint, saveSafetensors } = await import('../dist/index.js');
  const { readFileSync } = await import('node:fs');
  await tf.setBackend(backend);
  await tf.ready();
  const baseline = process.memoryUsage().rss;
  const t0 = performance.now();
  let source = path;
  if (mode === 'bytes') source = readFileSync(path); // a Buffer is a Uint8Array: no extra copy
  const { tensors, format } = await readCheckpoint(source);
  const seconds = (performance.now() - t0) / 1000;
  // VmHWM is this process's own peak; getrusage's maxRSS can carry the parent's over on Linux.
  const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  let bytes = 0;
  for (const t of tensors.values()) bytes += t.size * 4;
  if (mode === 'write') {
    // also make the safetensors copy the parent benchmarks next
    await saveSafetensors(tensors, path.replace(/\.pth$/, '.safetensors'), { metadata: { format: 'pt' } });
  }
  process.stdout.write(JSON.stringify({ format, seconds, peak, baseline, bytes, count: tensors.size }));
}

function measure(mode, path, backend) {
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', mode, path, backend], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
} else {
  const dir = '/tmp/tfjs-vit-bench';
  mkdirSync(dir, { recursive: true });
  const pth = `${dir}/vit_400mb.pth`;
  if (!existsSync(pth)) {
    execFileSync('/usr/bin/python3', [`${here}../../../tools/fixtures/gen_convert.py`, '--bench-checkpoint', pth, '400'], { stdio: 'inherit' });
  }
  const legacy = `${dir}/vit_400mb_legacy.pth`;
  if (!existsSync(legacy)) {
    execFileSync('/usr/bin/python3', [`${here}../../../tools/fixtures/gen_convert.py`, '--bench-checkpoint', legacy, '400', '--legacy'], { stdio: 'inherit' });
  }
  const st = pth.replace(/\.pth$/, '.safetensors');
  if (!existsSync(st)) measure('write', pth, 'cpu');
  const rows = [];
  for (const [file, mode, backend] of [
    [pth, 'path', 'cpu'], [pth, 'path', 'wasm'], [legacy, 'path', 'cpu'], [st, 'path', 'cpu'], [st, 'path', 'wasm'], [pth, 'bytes', 'cpu'],
  ]) {
    const size = statSync(file).size;
    const r = measure(mode, file, backend);
    rows.push({
      file: file.split('/').pop(), input: mode, backend, 'size MB': +(size / MB).toFixed(1), tensors: r.count,
      'MB/s': +(size / MB / r.seconds).toFixed(0), 'peak RSS MB': +(r.peak / MB).toFixed(0),
      'peak/size': +(r.peak / size).toFixed(2), '(peak-baseline)/size': +((r.peak - r.baseline) / size).toFixed(2),
    });
  }
  console.table(rows);
  console.log('target: peak RSS during reading from a path ≤ 1.5 × the checkpoint size');
}
