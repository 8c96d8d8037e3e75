import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes } from './progress';

function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let buf = '';
  const w = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, text: () => buf };
}

describe('progress', () => {
  it('plain mode prints each quarter once, then 100% on finish', () => {
    const s = sink(false);
    const p = createProgress('reading', 4000, { stream: s.stream });
    for (const d of [10, 900, 1000, 1500, 2600, 3100, 3999, 4000]) p.update(d);
    p.finish();
    p.finish();
    expect(s.text().trim().split('\n')).toEqual([
      'reading: 0% (10 B / 3.9 KB)', 'reading: 25% (1000 B / 3.9 KB)', 'reading: 50% (2.5 KB / 3.9 KB)',
      'reading: 75% (3.0 KB / 3.9 KB)', 'reading: 100% (3.9 KB / 3.9 KB)',
    ]);
  });

  it('a jump straight to the end prints only 100%; items are counted, not sized', () => {
    const s = sink(false);
    const p = createProgress('writing shards', 3, { stream: s.stream, unit: 'items' });
    p.update(3);
    p.finish();
    expect(s.text()).toBe('writing shards: 100% (3 / 3)\n');
  });

  it('on a terminal it draws a cli-progress bar', () => {
    const s = sink(true);
    const p = createProgress('reading', 2 * 1024 ** 2, { stream: s.stream });
    p.update(1024 ** 2);
    p.finish();
    expect(s.text()).toMatch(/reading \[.*\] 100% \| 2\.0 MB \/ 2\.0 MB/);
  });

  it('formats sizes', () => {
    expect([formatBytes(12), formatBytes(2048), formatBytes(5 * 1024 ** 2), formatBytes(3 * 1024 ** 3)]).toEqual(['12 B', '2.0 KB', '5.0 MB', '3.00 GB']);
  });
});
