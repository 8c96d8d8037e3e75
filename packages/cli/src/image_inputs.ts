// The images a command was given: files as they are (a missing or broken one is reported by the
// pipeline with its path), folders expanded to the images under them, globs expanded.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TfjsVitError } from '@tfjs-vit/ops';
import { IMAGE_EXTENSIONS } from '@tfjs-vit/transforms';
import { globSync, isDynamicPattern } from 'tinyglobby';

/** What a folder or glob is searched for: torchvision's image extensions and GIF. */
export const PREDICT_EXTENSIONS: readonly string[] = [...IMAGE_EXTENSIONS, '.gif'];

const isImage = (name: string) => PREDICT_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (isImage(e.name)) out.push(p);
  }
}

/**
 * Expands arguments to image paths, in order: a folder gives the image files under it (sorted,
 * recursively), a glob (`'photos/*.jpg'`, quoted so the shell leaves it) its matches; anything
 * else is kept as given. A folder or glob with no images is an error naming it.
 *
 * @example
 * ```ts
 * expandImages(['cat.jpg', 'photos/', 'more/**\/*.png']);
 * ```
 */
export function expandImages(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (existsSync(a) && statSync(a).isDirectory()) {
      const found: string[] = [];
      walk(a, found);
      if (!found.length) throw new TfjsVitError('NO_IMAGES', `${a}: no images in this folder (looked for ${PREDICT_EXTENSIONS.join(' ')})`);
      out.push(...found);
    } else if (!existsSync(a) && isDynamicPattern(a)) {
      const found = globSync(a, { onlyFiles: true, absolute: isAbsolute(a) }).filter(isImage).sort(); // paths as the pattern was written
      if (!found.length) throw new TfjsVitError('NO_IMAGES', `${a}: the pattern matches no images`);
      out.push(...found);
    } else out.push(a);
  }
  return out;
}
