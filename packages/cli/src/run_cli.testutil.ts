// The CLI run in-process for tests: argv in, exit code and the captured stdout / stderr lines out.
import { runCli } from './program';

/** Runs `tfjs-vit …argv` through runCli, collecting what it prints. */
export async function runInProcess(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
