#!/usr/bin/env node
// The `tfjs-vit` executable: a committed shim, so npm links the bin at install time (before any
// build), which runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tfjs-vit: the CLI is not built yet (dist/cli.js is missing); run `npm run build` in the repository\n');
  process.exit(1);
}
await import(cli.href);
