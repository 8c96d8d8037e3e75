// The part of a multi-part checkpoint a layout reads, named in the load report as a wrapper: the
// rest of the file is left out on purpose (a flax optimizer's state, a CLIP text tower), and the
// report says so rather than dropping it silently.
import { bigVisionPrefix } from './map_big_vision';
import { jaxPrefix } from './map_jax';
import type { SourceLayout } from './source_layout';

/**
 * Wrapper names for what `layout` reads of a checkpoint with these `keys`: `opt/target` (a flax
 * optimizer file: the optimizer state is left out), `visual` (a CLIP or OpenCLIP model with a
 * text tower: the image tower is read), `params/img` (a big_vision two-tower file); none otherwise.
 *
 * @example
 * layoutWrappers('openai_clip', ['visual.conv1.weight', 'token_embedding.weight']); // ['visual']
 */
export function layoutWrappers(layout: SourceLayout, keys: Iterable<string>): string[] {
  const list = [...keys];
  if (layout === 'jax') return jaxPrefix(new Set(list)) === 'opt/target/' ? ['opt/target'] : [];
  if (layout === 'openai_clip' || layout === 'open_clip_timm') return list.some((k) => !k.startsWith('visual.')) ? ['visual'] : [];
  if (layout === 'big_vision') {
    const p = bigVisionPrefix(list);
    return p === 'params/img/' && list.some((k) => !k.startsWith(p)) ? ['params/img'] : [];
  }
  return [];
}
