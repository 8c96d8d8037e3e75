import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { detectLayout, requireLayout } from './source_layout';

describe('detectLayout', () => {
  it('recognises each source by its key names', () => {
    expect(detectLayout(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight'])).toBe('timm');
    expect(detectLayout(['class_token', 'conv_proj.weight', 'encoder.layers.encoder_layer_0.ln_1.weight'])).toBe('torchvision');
    expect(detectLayout(['vit.embeddings.patch_embeddings.projection.weight', 'classifier.weight'])).toBe('hf');
    expect(detectLayout(['embeddings.patch_embeddings.projection.weight', 'pooler.dense.weight'])).toBe('hf');
    expect(detectLayout(['embedding/kernel', 'Transformer/encoderblock_0/LayerNorm_0/scale'])).toBe('jax');
    expect(detectLayout(['opt/target/embedding/kernel'])).toBe('jax');
  });

  it('tells the CLIP, DINOv2 and big_vision layouts from the ones they resemble', () => {
    // big_vision: params/ or params/img/ (SigLIP's image tower) — else it is google-research's JAX layout
    expect(detectLayout(['params/img/embedding/kernel', 'params/img/MAPHead_0/probe', 'params/txt/Embed_0/embedding', 'params/t'])).toBe('big_vision');
    expect(detectLayout(['params/embedding/kernel', 'params/Transformer/encoderblock/LayerNorm_0/scale'])).toBe('big_vision');
    expect(detectLayout(['params/txt/embedding/kernel'])).toBe('jax'); // not an image tower timm reads as big_vision
    // OpenAI CLIP / OpenCLIP: visual.*; the text tower's transformer.resblocks.* alone is nothing
    expect(detectLayout(['visual.class_embedding', 'visual.conv1.weight', 'token_embedding.weight', 'logit_scale'])).toBe('openai_clip');
    expect(detectLayout(['visual.conv1.weight', 'visual.transformer.resblocks.0.ln_1.weight'])).toBe('openai_clip');
    expect(detectLayout(['visual.conv1.weight', 'visual.layer1.0.conv1.weight', 'visual.attnpool.c_proj.weight'])).toBeNull(); // CLIP ResNet
    expect(detectLayout(['transformer.resblocks.0.attn.in_proj_weight', 'token_embedding.weight'])).toBeNull();
    expect(detectLayout(['visual.trunk.patch_embed.proj.weight', 'visual.trunk.attn_pool.latent', 'text.token_embedding.weight'])).toBe('open_clip_timm');
    // DINOv2: timm's keys plus Meta's mask_token / register_tokens / SwiGLU w12
    expect(detectLayout(['patch_embed.proj.weight', 'cls_token', 'mask_token', 'blocks.0.ls1.gamma'])).toBe('dinov2');
    expect(detectLayout(['patch_embed.proj.weight', 'register_tokens'])).toBe('dinov2');
    expect(detectLayout(['patch_embed.proj.weight', 'blocks.0.mlp.w12.weight'])).toBe('dinov2');
    expect(detectLayout(['patch_embed.proj.weight', 'reg_token', 'blocks.0.ls1.gamma'])).toBe('timm');
  });

  it('returns null for other architectures, and requireLayout names what it found', () => {
    const resnet = ['conv1.weight', 'bn1.weight', 'layer1.0.conv1.weight', 'fc.weight'];
    expect(detectLayout(resnet)).toBeNull();
    let err: unknown;
    try {
      requireLayout(resnet, (k) => (k === 'conv1.weight' ? [64, 3, 7, 7] : undefined));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('CHECKPOINT_UNKNOWN_ARCH');
    expect((err as Error).message).toContain('conv1.weight [64, 3, 7, 7]');
    expect((err as Error).message).toContain('4 tensors');
  });
});
