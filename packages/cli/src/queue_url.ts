// Where a batch-inference queue lives: `redis://[user:password@]HOST:PORT/NAME` (or `rediss://` for
// TLS) → the Redis connection, the BullMQ queue name, and the names of the keys results go to.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { TfjsVitError } from '@tfjs-vit/ops';

/** A `--queue` URL that is not `redis://HOST:PORT/NAME`. */
export class QueueUrlError extends TfjsVitError {
  constructor(url: string, why: string) {
    super('QUEUE_URL', `--queue: ${why}, got '${url}' (expected redis://HOST:PORT/NAME, e.g. redis://127.0.0.1:6379/photos)`);
  }
}

/** A parsed `--queue` URL. */
export interface QueueLocation {
  /** The Redis connection (BullMQ's `connection` option); `maxRetriesPerRequest: null`, as BullMQ workers require. */
  connection: { host: string; port: number; username?: string; password?: string; tls?: object; maxRetriesPerRequest: null };
  /** The BullMQ queue name. */
  name: string;
  /** The URL without the password, for messages. */
  display: string;
  /** Hash: image → JSON result (`{ image, top, embedding?, … }`), each written once (HSETNX). */
  resultsKey: string;
  /** Hash: image → JSON failure (`{ image, error, … }`) for jobs that failed for good. */
  failuresKey: string;
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Parses `redis://[user:password@]HOST:PORT/NAME`. The port is required (so a typo cannot send jobs
 * to another server's default port); NAME is the BullMQ queue: letters, digits, `.`, `_`, `-`.
 *
 * @example
 * ```ts
 * const q = parseQueueUrl('redis://127.0.0.1:6379/photos');
 * q.name; // 'photos'
 * q.resultsKey; // 'tfjs-vit:photos:results'
 * ```
 */
export function parseQueueUrl(url: string): QueueLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUrlError(url, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueUrlError(url, `the scheme must be redis: or rediss:, not ${u.protocol}`);
  if (!u.hostname) throw new QueueUrlError(url, 'no host');
  if (!u.port) throw new QueueUrlError(url, 'no port');
  const port = Number(u.port);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new QueueUrlError(url, `port ${u.port} is out of range`);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!name) throw new QueueUrlError(url, 'no queue name after the port');
  if (!NAME.test(name)) throw new QueueUrlError(url, `queue name '${name}' may hold only letters, digits, '.', '_' and '-'`);
  if (u.search || u.hash) throw new QueueUrlError(url, 'unexpected ?query or #fragment');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literal
  const connection: QueueLocation['connection'] = { host, port, maxRetriesPerRequest: null };
  if (u.username) connection.username = decodeURIComponent(u.username);
  if (u.password) connection.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') connection.tls = {};
  return {
    connection, name,
    display: `${u.protocol}//${u.hostname}:${port}/${name}`,
    resultsKey: `tfjs-vit:${name}:results`,
    failuresKey: `tfjs-vit:${name}:failures`,
  };
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/**
 * The image as a job names it: a URL as given, a path made absolute (workers on other machines
 * need the same path, e.g. a shared mount).
 */
export function canonicalImage(image: string): string {
  return isUrl(image) ? image : resolve(image);
}

/**
 * The job id of an image: a hash of its canonical name, so adding the same image again is a no-op
 * while its job is still in the queue (BullMQ ignores an add whose id exists).
 *
 * @example
 * ```ts
 * jobIdOf('/data/cat.jpg'); // 'img-3f1c…' (40 hex digits)
 * ```
 */
export function jobIdOf(image: string): string {
  return `img-${createHash('sha1').update(canonicalImage(image)).digest('hex')}`;
}
