import { describe, expect, it } from 'vitest';
import { labelledFromPicker } from './folders';
import { splitHeldOut } from './split';

const items = (counts: Record<string, number>) => Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ label, i })));

describe('splitHeldOut', () => {
  it('holds out the last fraction of each class, at least one from three images up, never a whole class', () => {
    const { train, heldOut } = splitHeldOut(items({ a: 10, b: 3, c: 2, d: 1 }), 0.2);
    expect(heldOut.map((h) => `${h.label}${h.i}`)).toEqual(['a8', 'a9', 'b2']);
    expect(train).toHaveLength(16 - 3);
    expect(splitHeldOut(items({ a: 4 }), 0).heldOut).toEqual([]);
    expect(splitHeldOut(items({ a: 2 }), 0.9).heldOut.map((h) => h.i)).toEqual([1]); // one stays to train on
  });
});

describe('labelledFromPicker', () => {
  const file = (path: string) => {
    const f = new File(['x'], path.split('/').pop()!);
    Object.defineProperty(f, 'webkitRelativePath', { value: path });
    return f;
  };

  it('labels each image by its folder, sorted by class then path; skips non-images and files in the root', () => {
    const got = labelledFromPicker([file('pets/dog/b.png'), file('pets/cat/a.JPG'), file('pets/dog/a.jpeg'), file('pets/notes.txt'), file('pets/x.png'), file('pets/cat/readme.md')]);
    expect(got.map((g) => `${g.label}:${g.file.name}`)).toEqual(['cat:a.JPG', 'dog:a.jpeg', 'dog:b.png']);
  });
});
