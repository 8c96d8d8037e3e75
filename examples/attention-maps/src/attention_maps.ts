// For each image: the crop the model saw, enlarged, with the attention rollout over it and, beside
// it, the last block's class-token attention — one PNG per image, the predicted class in its name.
import { join } from 'node:path';
import { createClassifier, overlayHeatmap, tileImages } from '@tfjs-vit/pipeline';
import { Resize, saveImage, type ImageInput, type RGBImage } from '@tfjs-vit/transforms';

/** Options of {@link writeAttentionMaps}. */
export interface AttentionMapsOptions {
  /** A checkpoint (e.g. the demo's model.safetensors, which records its preprocessing and labels). */
  weights: string;
  images: { name: string; image: ImageInput }[];
  out: string;
  /** Side of the enlarged crop in the PNG (default 112). */
  size?: number;
}

/** What was written for one image. */
export interface AttentionMapFile {
  name: string;
  file: string;
  predicted: string;
  prob: number;
  /** The two maps over the patch grid (row-major). */
  rollout: Float32Array;
  last: Float32Array;
}

/** Writes `<out>/<name>_<label>.png`: [rollout overlay | last-block overlay] for each image. */
export async function writeAttentionMaps(o: AttentionMapsOptions): Promise<AttentionMapFile[]> {
  const clf = await createClassifier({ weights: o.weights });
  const enlarge = new Resize([o.size ?? 112, o.size ?? 112], { interpolation: 'nearest' });
  const files: AttentionMapFile[] = [];
  try {
    for (const { name, image } of o.images) {
      const rollout = await clf.attention(image, { method: 'rollout', topk: 1 });
      const last = await clf.attention(image, { method: 'last', topk: 1 });
      const crop = enlarge.apply(rollout.crop) as RGBImage;
      const top = rollout.top[0];
      const label = String(top.label ?? top.index).replace(/[^\w-]+/g, '_');
      const file = join(o.out, `${name}_${label}.png`);
      await saveImage(tileImages([overlayHeatmap(crop, rollout.map, rollout.grid), overlayHeatmap(crop, last.map, last.grid)]), file);
      files.push({ name, file, predicted: String(top.label ?? top.index), prob: top.prob, rollout: Float32Array.from(rollout.map), last: Float32Array.from(last.map) });
    }
  } finally {
    await clf.dispose();
  }
  return files;
}
