// A throwaway redis-server for tests: 127.0.0.1, a free port, no persistence; stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where Debian's redis-server package puts the binary (`.ci/run` installs it). */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** A running server: its port, `url(name)` for `--queue`, and `stop()`. */
export interface TestRedis {
  port: number;
  url(name: string): string;
  stop(): Promise<void>;
}

/** A port nothing listens on now: bind port 0, read it, close (redis-server cannot take `--port 0`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections; null when the binary is missing. */
export async function startRedis(): Promise<TestRedis | null> {
  if (!existsSync(REDIS_SERVER)) return null;
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port} in 10 s:\n${log}`)), 10_000);
    child.stdout!.on('data', (d) => {
      log += d;
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d) => (log += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${log}`));
    });
  });
  return {
    port,
    url: (name) => `redis://127.0.0.1:${port}/${name}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
