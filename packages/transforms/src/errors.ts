// Typed errors of @tfjs-vit/transforms: one class per kind, each with a stable `code`.
// (Same shape as @tfjs-vit/ops' TfjsVitError; transforms depends only on tfjs-core, so it has its own.)

/** Base of every error this package throws on purpose. `code` is stable across versions. */
export class TransformsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An image could not be decoded (corrupt, truncated or unsupported bytes). `source` names the file
 * (or says `<bytes>` / `<bitmap>`).
 *
 * @example
 * try { await loadImage('broken.jpg'); } catch (e) { if (e instanceof ImageDecodeError) console.warn(e.source); }
 */
export class ImageDecodeError extends TransformsError {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super('IMAGE_DECODE', `${source}: ${message}`, options);
    this.source = source;
  }
}

/** An option's value is out of range or of the wrong kind: `Resize: size must be > 0, got -3`. */
export class TransformArgumentError extends TransformsError {
  constructor(message: string) {
    super('ARGUMENT', message);
  }
}

/** A dataset on disk is malformed (bad CIFAR/IDX header, empty class folder, missing root). */
export class DatasetError extends TransformsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATASET', message, options);
  }
}
