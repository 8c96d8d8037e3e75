// Real-browser tests: Debian's Chromium driven by playwright-core (never a browser download), and a
// static file server on 127.0.0.1 (a secure context, so WebGPU, the Cache API and workers work).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); override with TFJS_VIT_CHROMIUM. */
export const CHROMIUM = process.env.TFJS_VIT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * True when Chromium is installed. When it is not, says so on stderr (once per test file), so a
 * skipped browser suite is visible in the log instead of passing silently.
 */
export function hasChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  process.stderr.write(`SKIPPED ${suite}: no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)\n`);
  return false;
}

/** Options of {@link launchChromium}. */
export interface LaunchOptions {
  /** Expose WebGPU (`--enable-unsafe-webgpu`; SwiftShader on a machine without a GPU). Default false. */
  webgpu?: boolean;
}

/** Starts headless Chromium; without `webgpu` the page has no adapter (the wasm-fallback case). */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const args = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  else args.push('--disable-gpu');
  return chromium.launch({ executablePath: CHROMIUM, args });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml', '.bin': 'application/octet-stream',
};

/** A static server over `root`; `crossOriginIsolated` adds COOP/COEP (SharedArrayBuffer, wasm threads). */
export interface StaticServer {
  url: string;
  /** Paths requested so far (without the query), in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on 127.0.0.1 and a free port (`/` is index.html).
 *
 * @example
 * const server = await serveStatic('examples/browser/dist', { crossOriginIsolated: true });
 */
export async function serveStatic(root: string, options: { crossOriginIsolated?: boolean } = {}): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (options.crossOriginIsolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (!file.startsWith(normalize(root)) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
