// Turns the benchmark's rows into its results (ratios, logit differences, FLOP rates) and the
// markdown table of the docs' results page.

/** Multiply-adds of one forward pass of one image through a plain ViT config. */
export function forwardMacs(c) {
  const n = (c.imgSize / c.patchSize) ** 2;
  const t = n + 1;
  const d = c.embedDim;
  const hidden = Math.floor(d * c.mlpRatio);
  const block = t * d * 3 * d + 2 * t * t * d + t * d * d + 2 * t * d * hidden;
  return n * 3 * c.patchSize ** 2 * d + c.depth * block + d * c.numClasses;
}

const maxAbsDiff = (a, b) => {
  if (!a || !b) return null;
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** Peer columns: engine key in the rows, thread count (undefined: whatever it ran with), label. */
const PEERS = [
  ['onnxruntime-web', 1, 'onnxruntime-web-1t'],
  ['onnxruntime-web', 2, 'onnxruntime-web'],
  ['onnxruntime-node', undefined, 'onnxruntime-node'],
  ['pytorch', undefined, 'pytorch'],
];
const LOGIT_FILES = { 'onnxruntime-web-1t': 'ort-web1', 'onnxruntime-web': 'ort-web2', pytorch: 'pytorch' };

/**
 * One result per case: ours per thread count and at the best one (`ours_s`, seconds per image
 * for inference, per step for training), each peer's time, ours/peer, the largest logit
 * difference from ours on one thread, and for training the first two losses of each side.
 */
export function summarize(cases, rows, logits, configs) {
  return cases.map((c) => {
    const mine = rows.filter((r) => r.case === c.name && r.engine === 'ours');
    const best = mine.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const peers = {};
    const ratios = {};
    const peerThreads = {};
    for (const [engine, threads, label] of PEERS) {
      const r = rows.find((x) => x.case === c.name && x.engine === engine && (threads === undefined || x.threads === threads));
      if (!r) continue;
      peers[label] = r.seconds;
      peerThreads[label] = r.threads;
      ratios[label] = best.seconds / r.seconds;
    }
    const config = configs[c.model];
    // per image for inference; per step for training (backward ≈ 2 forwards; a head-only step's backward is the head's)
    const flop = 2 * forwardMacs(config) * (c.kind === 'train' ? 3 * c.batch : c.kind === 'train-head' ? c.batch : 1);
    const result = {
      name: c.name, kind: c.kind, batch: c.batch, img_size: c.imgSize, params: config.params,
      backend: best.backend, threads: best.threads, ours_s: best.seconds,
      ours_by_threads: Object.fromEntries(mine.map((r) => [r.threads, r.seconds])),
      peers, peer_threads: peerThreads, ratios, gflop: flop / 1e9, ours_gflops: flop / 1e9 / best.seconds,
      tensor_growth: Math.max(...mine.map((r) => r.tensorGrowth ?? 0)),
      wasm_heap_bytes: best.heapBytes ?? null,
    };
    if (c.kind === 'infer') {
      const ref = logits(c, 'ours1');
      const diffs = { 'ours-2t': maxAbsDiff(ref, logits(c, 'ours2')) };
      for (const [label, file] of Object.entries(LOGIT_FILES)) diffs[label] = maxAbsDiff(ref, logits(c, file));
      const node = rows.find((x) => x.case === c.name && x.engine === 'onnxruntime-node');
      if (node) diffs['onnxruntime-node'] = maxAbsDiff(ref, logits(c, `ort-node${node.threads}`));
      result.max_abs_logit_diff = Object.fromEntries(Object.entries(diffs).filter(([, v]) => v !== null));
    } else {
      result.losses = { ours: mine[0].losses };
      const torch = rows.find((x) => x.case === c.name && x.engine === 'pytorch');
      if (torch) {
        result.losses.pytorch = torch.losses;
        result.max_abs_loss_diff = Math.max(...torch.losses.map((l, i) => Math.abs(l - mine[0].losses[i])));
      }
    }
    return result;
  });
}

/** One result per conversion: seconds, peak RSS, and the peak over the input checkpoint's size. */
export function summarizeConversions(conversions, rows) {
  return conversions.flatMap((c) => {
    const r = rows.find((x) => x.case === c.name);
    if (!r) return [];
    return [{
      name: c.name, format: c.format, input_format: r.inputFormat, input_bytes: r.inputBytes, output_bytes: r.outputBytes, seconds: r.seconds,
      peak_rss_bytes: r.peakRss, baseline_rss_bytes: r.baselineRss, peak_over_input: r.peakRss / r.inputBytes,
      net_peak_over_input: (r.peakRss - r.baselineRss) / r.inputBytes,
    }];
  });
}

/** Images per second of the data loader, ours and torchvision's, per worker count. */
export function summarizeLoader(loader, rows) {
  const rate = (engine, w) => {
    const r = rows.find((x) => x.case === loader.name && x.engine === engine && x.threads === w);
    return r ? 1 / r.seconds : null;
  };
  return loader.workers.map((w) => {
    const ours = rate('ours', w);
    const torch = rate('pytorch', w);
    return { name: loader.name, images: loader.count, workers: w, ours_images_per_s: ours, pytorch_images_per_s: torch, ours_over_pytorch: ours && torch ? ours / torch : null };
  });
}

const mb = (x) => `${(x / 2 ** 20).toFixed(0)} MiB`;

const s = (x) => (x === undefined ? '—' : x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(0)} ms`);
const ratio = (x) => (x === undefined ? '—' : `${x.toFixed(2)}×`);

/** The results as markdown: the machine, one row per case, ratios ours/peer (below 1: we are faster). */
export function toMarkdown(report) {
  const m = report.machine;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, Node ${m.node}; tfjs-backend-wasm ${m.tfjs}, onnxruntime-web ${m['onnxruntime-web']}, onnxruntime-node ${m['onnxruntime-node']}, PyTorch ${m.pytorch ?? 'not available'}. \`${report.command}\`, median of ${report.runs} after a warm-up${report.quick ? ' (toy sizes)' : ''}. Inference: seconds per image; training: seconds per step (forward + backward + AdamW; \`train-head\`: the backbone frozen and off the tape, only the head learns). Wasm heap: its size after the case (it never shrinks), an upper bound of the case's peak.`,
  ];
  if (report.results.length) {
    lines.push(
      '',
      '| case | GFLOP | ours 1 thread | ours 2 threads | onnxruntime-web 1 / 2 threads | onnxruntime-node | PyTorch | ours ÷ ort-web (2t) | ours ÷ ort-node | ours ÷ PyTorch | ours GFLOP/s | wasm heap | max abs diff |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
  }
  for (const r of report.results) {
    const diff = r.kind === 'infer' ? Math.max(0, ...Object.values(r.max_abs_logit_diff)) : r.max_abs_loss_diff;
    lines.push(`| ${r.name}${r.separate_run ? ' ¹' : ''} | ${r.gflop.toFixed(1)} | ${s(r.ours_by_threads[1])} | ${s(r.ours_by_threads[2])} | ${s(r.peers['onnxruntime-web-1t'])} / ${s(r.peers['onnxruntime-web'])} | ${s(r.peers['onnxruntime-node'])} | ${s(r.peers.pytorch)} | ${ratio(r.ratios['onnxruntime-web'])} | ${ratio(r.ratios['onnxruntime-node'])} | ${ratio(r.ratios.pytorch)} | ${r.ours_gflops.toFixed(1)} | ${r.wasm_heap_bytes ? mb(r.wasm_heap_bytes) : '—'} | ${diff === undefined ? '—' : `${diff.toExponential(1)}${r.kind !== 'infer' ? ' (loss)' : ''}`} |`);
  }
  const separate = report.results.find((r) => r.separate_run);
  if (separate) lines.push('', `¹ From a separate run: \`${separate.separate_run}\`.`);
  const infer = report.results.filter((r) => r.kind === 'infer').sort((a, b) => a.img_size - b.img_size || a.batch - b.batch);
  if (infer.length) {
    lines.push('', 'Scaling of our inference (per image) with image size, batch and threads, beside the work it does:', '');
    lines.push('| model | image | batch | GFLOP per image | 1 thread | 2 threads | speedup | GFLOP/s 1 thread | GFLOP/s 2 threads |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of infer) {
      const [one, two] = [r.ours_by_threads[1], r.ours_by_threads[2]];
      const rate = (t) => (t === undefined ? '—' : (r.gflop / t).toFixed(1));
      lines.push(`| ${r.name.split('/')[0]} | ${r.img_size} | ${r.batch} | ${r.gflop.toFixed(1)} | ${s(one)} | ${s(two)} | ${one && two ? `${(one / two).toFixed(2)}×` : '—'} | ${rate(one)} | ${rate(two)} |`);
    }
  }
  if (report.conversions?.length) {
    lines.push('', 'Checkpoint conversion (`tfjs-vit convert`, wasm, one process each): peak RSS of the whole process, and beyond the RSS it started from (Node, tfjs, the wasm backend).', '');
    lines.push('| case | input | seconds | peak RSS | ÷ input | beyond start ÷ input |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of report.conversions) {
      lines.push(`| ${c.name} | ${c.input_format}, ${mb(c.input_bytes)} | ${c.seconds.toFixed(2)} s | ${mb(c.peak_rss_bytes)} | ${c.peak_over_input.toFixed(2)}× | ${c.net_peak_over_input.toFixed(2)}× |`);
    }
  }
  if (report.loader?.length) {
    lines.push('', `Data loader (\`${report.loader[0].name}\`): ${report.loader[0].images} generated 500×375 JPEGs → RandomResizedCrop(224, bicubic) + flip + ToTensor + Normalize, batch 16; ours (\`DataLoader\`, sharp decode) against torchvision's (PIL); images/s over two epochs after a warm-up.${report.loader_command ? ` A separate run: \`${report.loader_command}\`.` : ''}`, '');
    lines.push('| workers | ours images/s | torchvision images/s | ours ÷ torchvision |', '| --- | --- | --- | --- |');
    const f = (x) => (x === null ? '—' : x.toFixed(1));
    for (const l of report.loader) lines.push(`| ${l.workers} | ${f(l.ours_images_per_s)} | ${f(l.pytorch_images_per_s)} | ${l.ours_over_pytorch === null ? '—' : `${l.ours_over_pytorch.toFixed(2)}×`} |`);
  }
  for (const k of report.skipped) lines.push('', `Skipped: ${k}`);
  return lines.join('\n');
}

export const DOCS_BEGIN = '<!-- bench:begin (generated by `npm run bench -- --docs docs/results.md`; edit bench/src/report.mjs instead) -->';
export const DOCS_END = '<!-- bench:end -->';

/** `doc` with the text between the markers replaced by `md` (the markers appended when missing). */
export function replaceDocsSection(doc, md) {
  const block = `${DOCS_BEGIN}\n${md}\n${DOCS_END}`;
  const a = doc.indexOf(DOCS_BEGIN);
  const b = doc.indexOf(DOCS_END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, a) + block + doc.slice(b + DOCS_END.length);
}
