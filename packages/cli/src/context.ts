// What a command writes to and reports back: stdout for results, stderr for information and
// errors, and the exit code (2 when some inputs failed but the command finished).
/** Where the program writes: lines for the user and error messages. */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A command's view of the run: output streams and the exit code it sets. */
export interface CliContext extends CliIO {
  /** Progress and diagnostics (stderr), so stdout stays results only (`--json` pipes cleanly). */
  info: (line: string) => void;
  exitCode: number;
}

/** A context over `io` with exit code 0. */
export function createContext(io: CliIO): CliContext {
  return { out: io.out, err: io.err, info: io.err, exitCode: 0 };
}
