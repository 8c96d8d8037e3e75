// @tfjs-vit/transforms: image decoding, torchvision-equivalent transforms, datasets and a loader.
export { TransformsError, ImageDecodeError, TransformArgumentError, DatasetError } from './errors';
export { setTransformsLogger, type TransformsLogEvent } from './log';
export { Rng, deriveSeed, shuffleInPlace } from './rng';
export type { RGBImage, FloatImage, Pixels } from './image';
export { isRGBImage, isFloatImage } from './image';
export { toRGB, type RawPixels } from './to_rgb';
export { loadImage, decodeImage, type ImageInput, type LoadImageOptions, type DrawableImage } from './decode';
export { saveImage, saveSvgAsPng, encodeImage, formatOfPath, type ImageFormat } from './encode';
export type { Transform, PixelTransform, TransformContext, TransformSpec } from './transform';
export { isPixelTransform } from './transform';
export { resampleImage, type Interpolation } from './resample';
export { Resize, resize, resizedSize, type ResizeOptions } from './resize';
export { CenterCrop, centerCrop, crop, type CenterCropOptions } from './crop';
export { ResizeKeepRatio, resizeKeepRatio, keepRatioSize, type ResizeKeepRatioOptions } from './resize_keep_ratio';
export {
  RandomResizedCrop, randomResizedCropParams, resizedCrop,
  type RandomResizedCropOptions, type CropParams,
} from './random_resized_crop';
export { RandomHorizontalFlip, hflip } from './flip';
export { Grayscale, grayscale } from './grayscale';
export { ToTensor, toTensor, toFloatImage } from './to_tensor';
export {
  Normalize, normalize, normalizeFloatImage,
  IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, IMAGENET_INCEPTION_MEAN, IMAGENET_INCEPTION_STD,
} from './normalize';
export { Compose, compose } from './compose';
export { transformFromSpec, registerTransform, type TransformFactory } from './spec';
export { createTransform, DEFAULT_CROP_PCT, CROP_MODES, type CreateTransformOptions, type CropMode } from './create_transform';
export {
  resolveDataConfig, evalTransform, evalCrop, INTERPOLATIONS,
  type DataConfig, type DataConfigOverrides, type PretrainedDataFields,
} from './data_config';
export { ArrayDataset, Subset, classCounts, type Dataset, type DatasetItem, type ImageSource } from './dataset';
export { ImageFolder, IMAGE_EXTENSIONS, type ImageFolderOptions } from './image_folder';
export { randomSplit, type RandomSplitOptions, type SplitResult } from './split';
export { readCifar10, parseCifar10, CIFAR10_CLASSES } from './cifar';
export { parseIdx, readIdxDataset, FASHION_MNIST_CLASSES, type IdxArray } from './idx';
export { loadFashionMNIST, type FashionMNISTOptions } from './fashion_mnist';
export { DataLoader, type DataLoaderOptions, type Batch } from './data_loader';
export { Mixup, mixBatch, mixupTarget, sampleBeta, type MixupOptions, type CutmixBox } from './mixup';
export {
  RandAugment, applyAugmentOp, parseRandAugmentConfig, RAND_TRANSFORMS, RAND_INCREASING_TRANSFORMS,
  type RandAugmentOptions, type RandAugmentConfig,
} from './rand_augment';
export {
  autocontrast, equalize, invert, posterize, solarize, solarizeAdd, color, contrast, brightness, sharpness,
  blend, affine, rotate,
} from './pil_ops';
