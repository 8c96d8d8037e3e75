// @tfjs-vit/transforms: image decoding, torchvision-equivalent transforms, datasets and a loader.
export { TransformsError, ImageDecodeError, TransformArgumentError, DatasetError } from './errors';
export { setTransformsLogger, type TransformsLogEvent } from './log';
export { Rng, deriveSeed, shuffleInPlace } from './rng';
export type { RGBImage, FloatImage, Pixels } from './image';
export { isRGBImage, isFloatImage } from './image';
export { toRGB, type RawPixels } from './to_rgb';
export { loadImage, decodeImage, type ImageInput, type LoadImageOptions, type DrawableImage } from './decode';
export type { Transform, PixelTransform, TransformContext, TransformSpec } from './transform';
export { isPixelTransform } from './transform';
export { resampleImage, type Interpolation } from './resample';
export { Resize, resize, resizedSize, type ResizeOptions } from './resize';
export { CenterCrop, centerCrop, crop } from './crop';
export {
  RandomResizedCrop, randomResizedCropParams, resizedCrop,
  type RandomResizedCropOptions, type CropParams,
} from './random_resized_crop';
export { RandomHorizontalFlip, hflip } from './flip';
export { ToTensor, toTensor, toFloatImage } from './to_tensor';
export {
  Normalize, normalize, normalizeFloatImage,
  IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, IMAGENET_INCEPTION_MEAN, IMAGENET_INCEPTION_STD,
} from './normalize';
export { Compose, compose } from './compose';
export { transformFromSpec, registerTransform } from './spec';
export { createTransform, DEFAULT_CROP_PCT, type CreateTransformOptions } from './create_transform';
