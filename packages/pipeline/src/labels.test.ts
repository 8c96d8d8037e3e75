import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGENET_1K_LABELS } from './imagenet_labels';
import { builtinLabels, parseLabels, readLabels } from './labels';

describe('labels', () => {
  it("ImageNet-1k names are built in, in timm's order", () => {
    expect(IMAGENET_1K_LABELS).toHaveLength(1000);
    expect(IMAGENET_1K_LABELS[0]).toBe('tench, Tinca tinca');
    expect(IMAGENET_1K_LABELS[281]).toBe('tabby, tabby cat');
    expect(builtinLabels(1000)).toBe(IMAGENET_1K_LABELS);
    expect(builtinLabels(10)).toBeNull();
  });
  it('parses lines, JSON arrays, index objects and HF config.json id2label', () => {
    expect(parseLabels('daisy\r\ndandelion\n roses \n\n')).toEqual(['daisy', 'dandelion', 'roses']);
    expect(parseLabels('["a", "b"]')).toEqual(['a', 'b']);
    expect(parseLabels('{"1": "dog", "0": "cat"}')).toEqual(['cat', 'dog']);
    expect(parseLabels(JSON.stringify({ id2label: { 0: 'x', 1: 'y' }, num_labels: 2 }))).toEqual(['x', 'y']);
  });
  it('rejects malformed files with the file named', async () => {
    expect(() => parseLabels('{"0": "a", "2": "b"}', 'l.json')).toThrow(/l\.json: a JSON label object must map the indices 0\.\.1/);
    expect(() => parseLabels('[1, 2]', 'l.json')).toThrow(/must hold strings/);
    expect(() => parseLabels('{oops', 'l.json')).toThrow(/l\.json: looks like JSON but does not parse/);
    expect(() => parseLabels('\n\n', 'empty.txt')).toThrow(/empty\.txt: no labels/);
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-labels-'));
    writeFileSync(join(dir, 'l.txt'), 'a\nb\n');
    expect(await readLabels(join(dir, 'l.txt'))).toEqual(['a', 'b']);
    await expect(readLabels(join(dir, 'missing.txt'))).rejects.toThrow(/cannot read .*missing\.txt/);
  });
});
