// Typed errors of the checkpoint readers and writers: one class per kind, each with a stable code.
import { TfjsVitError } from '@tfjs-vit/ops';

/** Stable codes of {@link CheckpointError}. */
export type CheckpointErrorCode =
  | 'CHECKPOINT_UNKNOWN_FORMAT'
  | 'CHECKPOINT_TRUNCATED'
  | 'CHECKPOINT_BAD_MAGIC'
  | 'CHECKPOINT_BAD_ZIP'
  | 'CHECKPOINT_CHECKSUM'
  | 'CHECKPOINT_NON_FINITE'
  | 'CHECKPOINT_BAD_PICKLE'
  | 'CHECKPOINT_UNSAFE_GLOBAL'
  | 'CHECKPOINT_BAD_HEADER'
  | 'CHECKPOINT_BAD_OFFSETS'
  | 'CHECKPOINT_BAD_TENSOR'
  | 'CHECKPOINT_UNSUPPORTED_DTYPE'
  | 'CHECKPOINT_OUT_OF_RANGE'
  | 'CHECKPOINT_LIMIT'
  | 'CHECKPOINT_MISSING_ENTRY'
  | 'CHECKPOINT_UNKNOWN_ARCH'
  | 'CHECKPOINT_ARCH_MISMATCH';

/**
 * Base of every error a checkpoint reader or writer throws on purpose: the input is not what it
 * claims to be. `code` says which way; the message says what was expected and what was found.
 *
 * @example
 * try { await readCheckpoint(bytes); } catch (e) {
 *   if (e instanceof CheckpointError && e.code === 'CHECKPOINT_TRUNCATED') console.log('re-download');
 * }
 */
export class CheckpointError extends TfjsVitError {
  declare readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A pickle asked for a global (a function or class) that is not on the allowlist — the reader
 * refuses it instead of resolving it, the same stance as `torch.load(weights_only=True)`.
 *
 * @example
 * // e.global === 'os.system'
 */
export class UnsafePickleError extends CheckpointError {
  /** The refused global as `module.name`, e.g. `os.system`. */
  readonly global: string;
  constructor(global: string, offset: number) {
    super(
      'CHECKPOINT_UNSAFE_GLOBAL',
      `pickle asks for global ${global} at byte ${offset}, which is not on the allowlist of state-dict globals; refusing to load it`,
    );
    this.global = global;
  }
}

/** Throws a truncation error unless `need` bytes from `offset` fit in `size`. */
export function assertAvailable(what: string, offset: number, need: number, size: number): void {
  if (!(need >= 0) || offset + need > size) {
    throw new CheckpointError(
      'CHECKPOINT_TRUNCATED',
      `${what}: needs ${need} bytes at offset ${offset}, but the input ends at ${size}`,
    );
  }
}
