import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointMismatchError, saveTfjsModel } from '@tfjs-vit/convert';
import { UnknownModelError } from '@tfjs-vit/models';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { loadViT } from './load_vit';

const ckpt = fileURLToPath(new URL('../fixtures/test_vit.pth', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-load-'));

describeBackends('loadViT', () => {
  it('names the architecture from the shapes, or from the file name when the shapes fit it', async () => {
    const plain = join(dir, 'weights.pth');
    copyFileSync(ckpt, plain);
    const a = await loadViT(plain);
    expect([a.modelName, a.nameSource, a.format]).toEqual(['test_vit', 'matched', 'checkpoint']);
    expect(a.pretrainedCfg?.inputSize).toEqual([3, 160, 160]);
    expect(a.model.dynamicImgSize).toBe(true); // built by name: timm's dynamic_img_size comes with it
    expect(a.report?.missingKeys).toEqual([]);
    a.model.dispose();
    const b = await loadViT(ckpt); // fixtures/test_vit.pth

    expect([b.modelName, b.nameSource]).toEqual(['test_vit', 'file name']);
    b.model.dispose();
  });

  it('loads the tfjs web format from a directory and matches its config to the registry', async () => {
    const a = await loadViT(ckpt);
    const web = join(dir, 'web');
    await saveTfjsModel(a.model, web);
    a.model.dispose();
    const b = await loadViT(web);
    expect([b.format, b.modelName]).toEqual(['tfjs', 'test_vit']);
    b.model.dispose();
  });

  it('a checkpoint that fits no model, a missing file, an empty one, a bare directory, an unknown name: typed errors', async () => {
    const err = await loadViT(ckpt, { model: 'vit_tiny_patch16_224' }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect(err.message).toMatch(/pos_embed.*\[1, 197, 192\].*\[1, 101, 64\]/s);
    await expect(loadViT(join(dir, 'nope.pth'))).rejects.toThrow(/no such file or directory: .*nope\.pth/);
    writeFileSync(join(dir, 'empty.safetensors'), '');
    await expect(loadViT(join(dir, 'empty.safetensors'))).rejects.toThrow(/empty\.safetensors is empty/);
    mkdirSync(join(dir, 'bare'), { recursive: true });
    await expect(loadViT(join(dir, 'bare'))).rejects.toThrow(/directory without a model\.json/);
    const unknown = await loadViT(ckpt, { model: 'vit_tiny_patch16_244' }).catch((e) => e);
    expect(unknown).toBeInstanceOf(UnknownModelError);
    expect(unknown.suggestions).toContain('vit_tiny_patch16_224');
  });
});
