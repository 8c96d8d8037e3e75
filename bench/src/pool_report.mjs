// The predict pool's cases (`createPredictPool` of @tfjs-vit/pipeline): images/s at 1 and 2
// workers, and the split of the cores (workers × wasm threads) at batch 1 and batch 32; and the
// markdown of their results. Figures only: nothing here asserts a time.

/**
 * `scaling`: `images` generated JPEGs, batches of 8, at each `splits` entry ([workers, threads]).
 * `split`: `batch` images in one call with batchSize `batch`, at 2 workers × 1 thread and 1 × 2.
 * @typedef {{ name: string, model: string, kind: 'scaling' | 'split', images: number, batch: number, splits: [number, number][] }} PoolCase
 * @returns {PoolCase[]}
 */
export function poolCases(quick) {
  const models = quick ? ['vit_tiny_patch16_224'] : ['vit_tiny_patch16_224', 'vit_base_patch16_224'];
  const out = [];
  for (const model of models) {
    const few = model === 'vit_base_patch16_224' ? 8 : 32;
    out.push({ name: `pool/${model}/scaling`, model, kind: 'scaling', images: quick ? 4 : few, batch: 8, splits: [[1, 1], [2, 1]] });
    for (const batch of quick ? [1, 4] : [1, 32]) {
      out.push({ name: `pool/${model}/split/b${batch}`, model, kind: 'split', images: batch, batch, splits: [[2, 1], [1, 2]] });
    }
  }
  return out;
}

/** One result per pool case: images/s per split, the fastest split, and the one the pool picks ('auto'). */
export function summarizePool(cases, rows) {
  return cases.flatMap((c) => {
    const mine = rows.filter((r) => r.case === c.name && r.engine === 'pool');
    if (!mine.length) return [];
    const bySplit = Object.fromEntries(mine.map((r) => [`${r.workers}x${r.threadsPerWorker}`, r.images_per_s]));
    const best = mine.reduce((a, b) => (b.images_per_s > a.images_per_s ? b : a));
    const first = mine.find((r) => r.workers === c.splits[0][0] && r.threadsPerWorker === c.splits[0][1]);
    return [{
      name: c.name, model: c.model, kind: c.kind, images: c.images, batch: c.batch, images_per_s: bySplit,
      fastest: `${best.workers}x${best.threadsPerWorker}`, auto: mine[0].auto,
      max_abs_logit_diff: Math.max(0, ...mine.map((r) => r.max_abs_logit_diff ?? 0)),
      ...(c.kind === 'scaling' && first ? { speedup: Object.fromEntries(mine.map((r) => [`${r.workers}x${r.threadsPerWorker}`, r.images_per_s / first.images_per_s])) } : {}),
    }];
  });
}

const f = (x) => (x === undefined || x === null ? '—' : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The pool's tables: scaling with workers, and the split of the cores. */
export function poolMarkdown(results, cores) {
  if (!results.length) return '';
  const lines = ['', '', `Predict pool (\`createPredictPool\`, one wasm backend per worker thread, generated 500×375 JPEGs decoded and preprocessed in the workers; images/s, median after a warm-up; ${cores} cores):`, ''];
  const scaling = results.filter((r) => r.kind === 'scaling');
  if (scaling.length) {
    lines.push('| model | images × batch | 1 worker | 2 workers | speedup | max abs logit diff vs 1 worker |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of scaling) {
      lines.push(`| ${r.model} | ${r.images} × ${r.batch} | ${f(r.images_per_s['1x1'])} | ${f(r.images_per_s['2x1'])} | ${r.speedup?.['2x1'] ? `${r.speedup['2x1'].toFixed(2)}×` : '—'} | ${r.max_abs_logit_diff.toExponential(1)} |`);
    }
  }
  const split = results.filter((r) => r.kind === 'split');
  if (split.length) {
    lines.push('', '| model | batch (images in the call) | 2 workers × 1 thread | 1 worker × 2 threads | fastest | the pool picks |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of split) {
      lines.push(`| ${r.model} | ${r.batch} | ${f(r.images_per_s['2x1'])} | ${f(r.images_per_s['1x2'])} | ${r.fastest.replace('x', ' × ')} | ${r.auto.replace('x', ' × ')} |`);
    }
  }
  return lines.join('\n');
}
