import { describe, expect, it } from 'vitest';
import { matchModels } from './match_model';
import { getModelConfig } from './registry';

describe('matchModels', () => {
  it('names a registered architecture from its config, exact head size first', () => {
    const b16 = getModelConfig('vit_base_patch16_224');
    expect(matchModels(b16)[0]).toBe('vit_base_patch16_224');
    // a fine-tuned 10-class B/16: same architecture, another head
    expect(matchModels({ ...b16, numClasses: 10 })).toContain('vit_base_patch16_224');
    expect(matchModels({ ...b16, numClasses: 10 }, { anyNumClasses: false })).toEqual([]);
    // the in21k original has a pre-logits layer: a different architecture
    expect(matchModels(getModelConfig('vit_base_patch16_224_in21k'))).toEqual(['vit_base_patch16_224_in21k']);
  });

  it('finds test_vit from an inferred config; other input sizes only when asked', () => {
    const inferred = { patchSize: 16, embedDim: 64, depth: 6, numHeads: 2, mlpRatio: 3, imgSize: 160, numClasses: 1000 };
    expect(matchModels(inferred)).toEqual(['test_vit']);
    expect(matchModels({ ...inferred, imgSize: 224 })).toEqual([]);
    expect(matchModels({ ...inferred, imgSize: 224 }, { anyImgSize: true })).toEqual(['test_vit']);
    expect(matchModels({ ...inferred, depth: 5 })).toEqual([]);
    expect(matchModels({ ...inferred, numHeads: 4 })).toEqual([]);
  });

  it('LayerScale and register tokens are part of the architecture', () => {
    const t2 = getModelConfig('test_vit2');
    expect(matchModels(t2)).toEqual(['test_vit2']);
    expect(matchModels({ ...t2, initValues: null })).toEqual([]);
    expect(matchModels({ ...t2, regTokens: 0 })).toEqual([]);
  });
});
