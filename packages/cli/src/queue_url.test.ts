// The `--queue` URL, job ids and `--sink`: parsed or refused with a typed error naming the problem.
import { describe, expect, it } from 'vitest';
import { canonicalImage, jobIdOf, parseQueueUrl, QueueUrlError } from './queue_url';
import { parseSink } from './result_sink';
import { runInProcess } from './run_cli.testutil';

describe('parseQueueUrl', () => {
  it('reads host, port, queue name, credentials and TLS, and names the result keys', () => {
    const q = parseQueueUrl('redis://127.0.0.1:6380/photos');
    expect(q.connection).toEqual({ host: '127.0.0.1', port: 6380, maxRetriesPerRequest: null });
    expect(q.name).toBe('photos');
    expect(q.resultsKey).toBe('tfjs-vit:photos:results');
    expect(q.failuresKey).toBe('tfjs-vit:photos:failures');
    const s = parseQueueUrl('rediss://me:p%40ss@cache.example:6379/shop-2024.v1');
    expect(s.connection).toEqual({ host: 'cache.example', port: 6379, username: 'me', password: 'p@ss', tls: {}, maxRetriesPerRequest: null });
    expect(s.display).toBe('rediss://cache.example:6379/shop-2024.v1'); // no password in messages
    expect(parseQueueUrl('redis://[::1]:6379/q').connection.host).toBe('::1');
  });

  it.each([
    ['127.0.0.1:6379/photos', /not a URL/],
    ['http://127.0.0.1:6379/photos', /the scheme must be redis: or rediss:, not http:/],
    ['redis://127.0.0.1/photos', /no port/],
    ['redis://127.0.0.1:6379', /no queue name after the port/],
    ['redis://127.0.0.1:6379/', /no queue name/],
    ['redis://127.0.0.1:6379/a:b', /queue name 'a:b' may hold only letters/],
    ['redis://127.0.0.1:6379/a/b', /queue name 'a\/b'/],
    ['redis://127.0.0.1:6379/q?db=2', /unexpected \?query/],
  ])('refuses %s', (url, why) => {
    let err: unknown;
    try {
      parseQueueUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueueUrlError);
    expect((err as QueueUrlError).code).toBe('QUEUE_URL');
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(`got '${url}'`);
  });
});

describe('jobIdOf', () => {
  it('is the same for the same file however it is written, different for another, and never an integer or has a colon', () => {
    expect(jobIdOf('a/cat.jpg')).toBe(jobIdOf(`${process.cwd()}/a/cat.jpg`));
    expect(jobIdOf('a/./cat.jpg')).toBe(jobIdOf('a/cat.jpg'));
    expect(jobIdOf('a/dog.jpg')).not.toBe(jobIdOf('a/cat.jpg'));
    expect(jobIdOf('https://x.test/a.jpg')).toMatch(/^img-[0-9a-f]{40}$/);
    expect(canonicalImage('https://x.test/a.jpg?s=1')).toBe('https://x.test/a.jpg?s=1');
    expect(canonicalImage('cat.jpg')).toBe(`${process.cwd()}/cat.jpg`);
  });
});

describe('parseSink', () => {
  it('redis or jsonl:PATH (made absolute); parquet and others are refused by name', () => {
    expect(parseSink('redis')).toEqual({ kind: 'redis' });
    expect(parseSink('jsonl:out/r.jsonl')).toEqual({ kind: 'jsonl', path: `${process.cwd()}/out/r.jsonl` });
    expect(() => parseSink('parquet:r.parquet')).toThrow(/parquet is not supported yet/);
    expect(() => parseSink('s3://bucket')).toThrow(/--sink must be 'redis' or 'jsonl:PATH', got 's3:\/\/bucket'/);
  });
});

describe('the CLI refuses a bad --queue before doing any work', () => {
  it('predict --queue and worker --queue name the problem and exit 1; predict without --queue still needs --weights', async () => {
    const p = await runInProcess('predict', 'cat.jpg', '--queue', 'redis://localhost/photos');
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/error QUEUE_URL: --queue: no port, got 'redis:\/\/localhost\/photos'/);
    const w = await runInProcess('worker', '--queue', 'amqp://localhost:5672/photos', '--weights', 'nothing.safetensors');
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/error QUEUE_URL: --queue: the scheme must be redis: or rediss:, not amqp:/);
    const s = await runInProcess('worker', '--queue', 'redis://localhost:6379/photos', '--weights', 'nothing.safetensors', '--sink', 'csv:x');
    expect(s.stderr).toMatch(/error ARGUMENT: --sink must be 'redis' or 'jsonl:PATH', got 'csv:x'/);
    const noWeights = await runInProcess('predict', 'cat.jpg');
    expect(noWeights.code).toBe(1);
    expect(noWeights.stderr).toMatch(/required option '-w, --weights <path>' not specified/);
    const noQueue = await runInProcess('worker', '--weights', 'x.safetensors');
    expect(noQueue.stderr).toMatch(/required option '-q, --queue <url>' not specified/);
  });
});
