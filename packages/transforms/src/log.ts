// A debug-log hook: the package says what it did behind the user's back (mode conversions, skips).

/** A message from the package: `level` is 'debug' for conversions, 'warn' for skipped samples. */
export interface TransformsLogEvent {
  level: 'debug' | 'warn';
  message: string;
}

let logger: ((event: TransformsLogEvent) => void) | null = null;

/**
 * Installs (or with `null` removes) the hook that receives debug and warning messages, for example
 * "photo.png: converted grayscale (1 channel) to RGB".
 *
 * @example
 * setTransformsLogger((e) => console.debug(`[transforms] ${e.message}`));
 */
export function setTransformsLogger(fn: ((event: TransformsLogEvent) => void) | null): void {
  logger = fn;
}

/** @internal */
export function logDebug(message: string): void {
  logger?.({ level: 'debug', message });
}

/** @internal Warnings go to the hook when installed, else to console.warn (never silent). */
export function logWarn(message: string): void {
  if (logger) logger({ level: 'warn', message });
  else console.warn(`[@tfjs-vit/transforms] ${message}`);
}
