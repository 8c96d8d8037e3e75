// The whole example: a timm checkpoint and some images in, top-5 labelled probabilities out.
import '@tensorflow/tfjs-backend-wasm';
import { createClassifier, type ImageClassification } from '@tfjs-vit/pipeline';

/** Classifies `images` with the timm checkpoint `weights` (architecture and preprocessing from the file). */
export async function classify(weights: string, images: string[], topk = 5): Promise<ImageClassification[]> {
  const clf = await createClassifier({ weights }); // .pth / .safetensors / .npz, timm's data config
  try {
    return await clf.classify(images, { topk });
  } finally {
    await clf.dispose();
  }
}
