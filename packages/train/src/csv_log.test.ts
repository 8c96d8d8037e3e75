import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError } from '@tfjs-vit/ops';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvLogger } from './csv_log';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const read = (p: string) => readFileSync(p, 'utf8');

describe('CsvLogger', () => {
  it('takes the columns from the first record; blanks missing cells, drops unknown keys', () => {
    const path = join(root, 'sub', 'a.csv');
    const log = new CsvLogger(path);
    log.write({ epoch: 0, loss: 1.5, acc: 0.25 });
    log.write({ epoch: 1, acc: 0.5, extra: 7 });
    expect(log.columns).toEqual(['epoch', 'loss', 'acc']);
    expect(read(path)).toBe('epoch,loss,acc\n0,1.5,0.25\n1,,0.5\n');
  });

  it('quotes text with commas, quotes and newlines (RFC 4180) and writes NaN / Infinity as such', () => {
    const path = join(root, 'b.csv');
    const log = new CsvLogger(path, ['name', 'v']);
    log.write({ name: 'a,b', v: Number.NaN });
    log.write({ name: 'say "hi"\nbye', v: -Infinity });
    log.write({ name: { k: 1 }, v: 1e-7 });
    expect(read(path)).toBe('name,v\n"a,b",NaN\n"say ""hi""\nbye",-Infinity\n"{""k"":1}",1e-7\n');
  });

  it('appends to a file with the same header (resume) and refuses one with another header', () => {
    const path = join(root, 'c.csv');
    new CsvLogger(path, ['x', 'y']).write({ x: 1, y: 2 });
    new CsvLogger(path, ['x', 'y']).write({ x: 3, y: 4 });
    expect(read(path)).toBe('x,y\n1,2\n3,4\n');
    expect(() => new CsvLogger(path, ['x', 'z'])).toThrow(ArgumentError);
    writeFileSync(join(root, 'd.csv'), 'p,q\n');
    expect(() => new CsvLogger(join(root, 'd.csv')).write({ p: 1 })).toThrow(/header "p,q"/);
  });

  it('rejects empty or repeated columns and an empty first record', () => {
    expect(() => new CsvLogger(join(root, 'e.csv'), [])).toThrow(ArgumentError);
    expect(() => new CsvLogger(join(root, 'e.csv'), ['a', 'a'])).toThrow(ArgumentError);
    expect(() => new CsvLogger(join(root, 'f.csv')).write({})).toThrow(ArgumentError);
  });
});
