// Class names for a head: ImageNet-1k built in (timm's order and names), or a file the user gives —
// one name per line, a JSON array, or a Hugging Face `id2label` object.
import { ArgumentError, importNode } from '@tfjs-vit/ops';
import { IMAGENET_1K_LABELS } from './imagenet_labels';

/**
 * The built-in names for a head of `numClasses` outputs: ImageNet-1k's for 1000, else null (the
 * 21k names are a download away; pass them with {@link parseLabels}).
 *
 * @example
 * ```ts
 * builtinLabels(1000)?.[281]; // 'tabby, tabby cat'
 * ```
 */
export function builtinLabels(numClasses: number): readonly string[] | null {
  return numClasses === 1000 ? IMAGENET_1K_LABELS : null;
}

/**
 * Parses class names: a JSON array of strings, a JSON object of index → name (Hugging Face's
 * `config.json` `id2label`, or the object itself), or plain text with one name per line (blank
 * trailing lines ignored). `source` names the file in errors.
 *
 * @example
 * ```ts
 * parseLabels('daisy\ndandelion\nroses\n'); // ['daisy', 'dandelion', 'roses']
 * parseLabels('{"0": "cat", "1": "dog"}');  // ['cat', 'dog']
 * ```
 */
export function parseLabels(text: string, source = '<labels>'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (e) {
      throw new ArgumentError(`${source}: looks like JSON but does not parse (${(e as Error).message})`);
    }
    if (data && typeof data === 'object' && !Array.isArray(data) && 'id2label' in data) data = (data as { id2label: unknown }).id2label;
    if (Array.isArray(data)) {
      if (!data.every((v) => typeof v === 'string')) throw new ArgumentError(`${source}: a JSON label list must hold strings only`);
      return data as string[];
    }
    const entries = Object.entries(data as Record<string, unknown>);
    const out: string[] = new Array(entries.length);
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!(Number.isInteger(i) && i >= 0 && i < entries.length) || typeof v !== 'string' || out[i] !== undefined) {
        throw new ArgumentError(`${source}: a JSON label object must map the indices 0..${entries.length - 1} to names, got "${k}": ${JSON.stringify(v)}`);
      }
      out[i] = v;
    }
    return out;
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) throw new ArgumentError(`${source}: no labels in the file`);
  return lines.map((l) => l.trim());
}

/**
 * Reads and parses a label file (Node).
 *
 * @example
 * ```ts
 * const names = await readLabels('imagenet21k_labels.txt');
 * ```
 */
export async function readLabels(path: string): Promise<string[]> {
  const fs = await importNode<typeof import('node:fs/promises')>('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    throw new ArgumentError(`labels: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseLabels(text, path);
}
