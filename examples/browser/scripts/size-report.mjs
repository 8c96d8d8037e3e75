// After `vite build`: what a visitor downloads, per file and in total, raw and gzip-compressed
// (level 9, what a static host typically serves). Printed and written to dist/size-report.json.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (!name.endsWith('.map') && name !== 'size-report.json') files.push(p);
  }
};
walk(dist);
const rows = files.map((p) => {
  const bytes = readFileSync(p);
  return { file: relative(dist, p), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
rows.sort((a, b) => b.gzip - a.gzip);
const kind = (f) => (f.startsWith('fashion-mnist-vit/') ? 'model' : f.endsWith('.wasm') ? 'wasm' : f.endsWith('.js') ? 'js' : 'other');
const total = (k) => rows.filter((r) => !k || kind(r.file) === k).reduce((t, r) => ({ bytes: t.bytes + r.bytes, gzip: t.gzip + r.gzip }), { bytes: 0, gzip: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const r of rows) console.log(`${r.file.padEnd(56)} ${kb(r.bytes).padStart(12)} ${kb(r.gzip).padStart(12)} gzip`);
const summary = Object.fromEntries(['js', 'wasm', 'model', 'other'].map((k) => [k, total(k)]));
for (const [k, t] of Object.entries(summary)) console.log(`total ${k.padEnd(50)} ${kb(t.bytes).padStart(12)} ${kb(t.gzip).padStart(12)} gzip`);
writeFileSync(join(dist, 'size-report.json'), JSON.stringify({ files: rows, totals: { ...summary, all: total() } }, null, 2));
