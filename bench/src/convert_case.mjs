// One conversion case in a process of its own, so its peak RSS is the conversion's:
// `node convert_case.mjs NAME INPUT OUTPUT`. Runs what `tfjs-vit convert INPUT --out OUTPUT` runs
// (on wasm, one thread) and prints one JSON line: seconds, peak RSS and the RSS before it began.
import { statSync } from 'node:fs';
import { runConvert } from '@tfjs-vit/cli';
import { selectBackend } from '@tfjs-vit/ops';

const [name, input, output] = process.argv.slice(2);
await selectBackend({ prefer: 'wasm', fallback: false, wasmThreads: 1 });
const baseline = process.memoryUsage().rss;
const t0 = performance.now();
const summary = await runConvert(input, { out: output, plain: true }, () => {});
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  case: name, engine: 'ours', threads: 1, backend: 'wasm', seconds,
  peakRss: process.resourceUsage().maxRSS * 1024, baselineRss: baseline,
  inputBytes: statSync(input).size, outputBytes: summary.bytes, inputFormat: summary.inputFormat,
}));
process.exit(0);
