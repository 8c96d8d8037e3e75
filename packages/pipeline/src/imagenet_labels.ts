// ImageNet-1k class names in timm's order: timm.data.ImageNetInfo('imagenet-1k').label_descriptions()
// (WordNet lemmas), kept as data in imagenet_labels.json (written by tools/fixtures/gen_pipeline.py
// from timm 1.0.28, 8ef73809; do not edit by hand).
import data from './imagenet_labels.json';

/** The 1,000 ImageNet-1k class names, index = class id (timm's `ImageNetInfo` label descriptions). */
export const IMAGENET_1K_LABELS: readonly string[] = data.labels;
