// How results are printed: one block per image for people, or JSON / JSONL for programs. Shared by
// predict, embed and attention so every command formats the same way.
import type { ImageClassification, Prediction } from '@tfjs-vit/pipeline';

/** One prediction row: `  0.6566  tabby, tabby cat (281)`. */
export function formatPrediction(p: Prediction): string {
  return `  ${p.prob.toFixed(4)}  ${p.label === null ? `class ${p.index}` : `${p.label} (${p.index})`}`;
}

/** The text report of `predict`: the image path, then its top classes (failures go to stderr). */
export function formatClassifications(results: readonly ImageClassification[]): string {
  return results
    .filter((r) => r.top)
    .map((r) => [r.image, ...r.top!.map(formatPrediction)].join('\n'))
    .join('\n');
}

/** The `--json` form: `[{ "image", "top": [{ "index", "label", "prob" }] }]`, failures as `{ "image", "error" }`. */
export function classificationsJson(results: readonly ImageClassification[]): string {
  // float32 logits carry ~7 significant digits: print no more than that
  const round = (top: readonly Prediction[]) => top.map((p) => ({ ...p, prob: Number(p.prob.toPrecision(7)) }));
  const rows = results.map((r) => (r.top ? { image: r.image, top: round(r.top) } : { image: r.image, error: r.error!.message }));
  return JSON.stringify(rows, null, 2);
}

/** An error as the one line the CLI prints: `error CODE: message` for typed errors. */
export function errorLine(e: unknown): string {
  const err = e as { code?: unknown; message?: string };
  const msg = err?.message ?? String(e);
  return typeof err?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(err.code) ? `error ${err.code}: ${msg}` : `error: ${msg}`;
}
