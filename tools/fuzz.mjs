// `npm run fuzz`: every parser's fuzz driver (packages/*/fuzz/run.mjs, on the built packages) at
// 1,000 inputs per target (--runs N), each driver in a child process under a 3 GiB address-space
// limit; prints the tallies and, with --docs FILE, writes them into that page between its markers.
// Exits 1 when any input gave an untyped error, a changed load of a checksummed format, or a case
// slower than 2 s.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runFuzzDriver } from '@tfjs-vit/testing/fuzz';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(opt('--runs', '1000'));
const seed = Number(opt('--seed', '42'));
const docs = opt('--docs');

const drivers = [
  { pkg: 'convert', what: 'checkpoints and model.json' },
  { pkg: 'transforms', what: 'images' },
];
const rows = [];
let bad = 0;
for (const d of drivers) {
  const t0 = Date.now();
  const tallies = await runFuzzDriver('fuzz/run.mjs', { cwd: `${root}packages/${d.pkg}`, runs, seed, timeoutMs: 3_600_000 });
  console.log(`${d.pkg} (${d.what}): ${tallies.length} targets × ${runs} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const t of tallies) {
    const failed = t.untyped + t.changed + (t.slowestMs >= 2000 ? 1 : 0);
    bad += failed;
    const errors = Object.entries(t.errors).sort((a, b) => b[1] - a[1]);
    rows.push({ ...t, pkg: d.pkg, errorKinds: errors.length, topErrors: errors.slice(0, 3).map(([c, n]) => `${c} ${n}`).join(', ') });
    console.log(`  ${t.target.padEnd(20)} loaded ${String(t.loaded).padStart(5)} (identical ${t.identical})  typed errors ${t.runs - t.loaded - t.untyped}  untyped ${t.untyped}  changed ${t.changed}  slowest ${t.slowestMs} ms  rss ${t.rssMB} MB`);
    for (const e of t.examples) console.log(`    ${e}`);
  }
}

if (docs) {
  const BEGIN = '<!-- fuzz:begin (npm run fuzz -- --docs docs/reliability.md) -->';
  const END = '<!-- fuzz:end -->';
  const table = [
    BEGIN,
    '',
    `${runs.toLocaleString('en-US')} inputs per target, seed ${seed}, ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, each driver under a 3 GiB address-space limit.`,
    '',
    '| target | inputs | loaded | … identical to the original | typed errors (kinds; most frequent) | untyped errors | changed loads | slowest case | peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.target} | ${r.runs} | ${r.loaded} | ${r.identical} | ${r.runs - r.loaded - r.untyped} (${r.errorKinds}; ${r.topErrors}) | ${r.untyped} | ${r.changed} | ${r.slowestMs} ms | ${r.rssMB} MB |`),
    '',
    END,
  ].join('\n');
  const page = readFileSync(docs, 'utf8');
  const from = page.indexOf(BEGIN);
  const to = page.indexOf(END);
  if (from < 0 || to < 0) throw new Error(`${docs} has no ${BEGIN} … ${END} markers`);
  writeFileSync(docs, page.slice(0, from) + table + page.slice(to + END.length));
  console.log(`wrote the table into ${docs}`);
}
if (bad) {
  console.error(`${bad} failing inputs`);
  process.exit(1);
}
