// Typed errors shared by every @tfjs-vit package: one class per kind, messages say expected vs found.

/** Base of every error this library throws on purpose. `code` is stable across versions. */
export class TfjsVitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A tensor's rank or shape is not what an op or layer accepts. */
export class ShapeError extends TfjsVitError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}

/** An option's value is out of range or of the wrong kind. */
export class ArgumentError extends TfjsVitError {
  constructor(message: string) {
    super('ARGUMENT', message);
  }
}

/** Formats a shape as `[1, 197, 768]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws ShapeError unless `shape` has rank `rank`. `what` names the tensor in the message. */
export function assertRank(what: string, shape: readonly number[], rank: number | readonly number[]): void {
  const ok = typeof rank === 'number' ? shape.length === rank : rank.includes(shape.length);
  if (!ok) {
    const want = typeof rank === 'number' ? `${rank}` : rank.join(' or ');
    throw new ShapeError(`${what}: expected rank ${want}, got rank ${shape.length} ${fmtShape(shape)}`);
  }
}

/** No backend (or not the requested one) could be initialised. */
export class BackendError extends TfjsVitError {
  constructor(message: string) {
    super('BACKEND', message);
  }
}
