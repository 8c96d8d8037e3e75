// ImageFolder: root/<class>/<...>/<image> with classes sorted (torchvision's ImageFolder), Node only.
import { ArrayDataset, type DatasetItem } from './dataset';
import { DatasetError } from './errors';
import { fs, pathModule } from './node';

/** torchvision's IMG_EXTENSIONS (matched case-insensitively). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'] as const;

/** Options of {@link ImageFolder}. */
export interface ImageFolderOptions {
  /** File extensions to keep, with the dot, matched case-insensitively. Default {@link IMAGE_EXTENSIONS}. */
  extensions?: readonly string[];
}

function walk(dir: string, keep: (name: string) => boolean, out: string[]): void {
  const { join } = pathModule();
  const entries = fs().readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out);
    else if (keep(e.name)) out.push(p);
  }
}

/**
 * One sub-folder per class (the flower dataset of the seed articles): classes are the sorted folder
 * names, labels their index, files sorted within each class.
 *
 * @example
 * const ds = new ImageFolder('flower_photos');
 * ds.classes;    // ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']
 * ds.classToIdx; // { daisy: 0, … }
 */
export class ImageFolder extends ArrayDataset {
  readonly root: string;
  declare readonly classes: readonly string[];
  readonly classToIdx: Readonly<Record<string, number>>;

  constructor(root: string, options: ImageFolderOptions = {}) {
    const f = fs();
    if (!f.existsSync(root) || !f.statSync(root).isDirectory()) throw new DatasetError(`ImageFolder: ${root} is not a directory`);
    const exts = (options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
    const keep = (name: string) => exts.some((e) => name.toLowerCase().endsWith(e));
    const classes = f
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classes.length === 0) throw new DatasetError(`ImageFolder: no class folders in ${root}`);
    const items: DatasetItem[] = [];
    const { join } = pathModule();
    classes.forEach((cls, label) => {
      const files: string[] = [];
      walk(join(root, cls), keep, files);
      if (files.length === 0) {
        throw new DatasetError(`ImageFolder: class folder ${join(root, cls)} has no files with extensions ${exts.join(' ')}`);
      }
      for (const source of files) items.push({ source, label });
    });
    super(items, classes);
    this.root = root;
    this.classToIdx = Object.fromEntries(classes.map((c, i) => [c, i]));
  }
}
