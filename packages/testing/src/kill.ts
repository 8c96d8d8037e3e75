// Crash tests: a Node script in a child process, SIGKILLed the moment a condition holds (polled
// every 2 ms) — e.g. a temporary file has bytes, so the writer is mid-write.
import { spawn } from 'node:child_process';

/** What {@link killWhen} saw: whether the kill was sent (the condition held) and landed, and stdout. */
export interface KillResult {
  /** The condition held and SIGKILL was sent. */
  triggered: boolean;
  /** The child ended by SIGKILL (not by finishing first). */
  killed: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node --input-type=module -e script ...args` in `cwd` and SIGKILLs it as soon as `when()`
 * returns true.
 *
 * @example
 * ```ts
 * const r = await killWhen(CHILD, ['safetensors', path], pkg, () => readdirSync(dir).some((f) => f.endsWith('.tmp')));
 * ```
 */
export function killWhen(script: string, args: string[], cwd: string, when: () => boolean): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let triggered = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      let hit = false;
      try {
        hit = when();
      } catch {
        // a file vanished between listing and stat: try again
      }
      if (hit && !triggered) {
        triggered = true;
        child.kill('SIGKILL');
      }
    }, 2);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearInterval(poll);
      resolve({ triggered, killed: signal === 'SIGKILL', stdout, stderr });
    });
  });
}
