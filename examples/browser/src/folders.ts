// Images with their class for the learn step: the class is the folder an image sits in, from a
// folder picker (`webkitRelativePath`) or folders dropped on the page (the entries API).
import type { LabelledFile } from './protocol';

const IMAGE = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;

/** From `<input webkitdirectory>`: `root/class/image.png` → class. Files directly in the root have no class and are left out. */
export function labelledFromPicker(files: Iterable<File>): LabelledFile[] {
  const out: LabelledFile[] = [];
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    // webkitRelativePath starts with the picked folder: `root/class/image.png` has three parts
    if (parts.length >= 3 && IMAGE.test(file.name)) out.push({ label: parts[parts.length - 2]!, file });
  }
  return sortByPath(out);
}

/** From a drop: every image under each dropped folder, labelled by its parent folder's name. */
export async function labelledFromDrop(items: DataTransferItemList): Promise<LabelledFile[]> {
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  const out: LabelledFile[] = [];
  const walk = async (entry: FileSystemEntry, parent: string | null): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      if (parent && IMAGE.test(file.name)) out.push({ label: parent, file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const child of batch) await walk(child, entry.name);
    }
  };
  for (const e of entries) await walk(e, null);
  return sortByPath(out);
}

function sortByPath(files: LabelledFile[]): LabelledFile[] {
  const key = (f: LabelledFile) => `${f.label}/${f.file.webkitRelativePath || f.file.name}`;
  return files.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
