import type {Redis, RedisOptions} from 'ioredis';
import {AssayError, InputError} from '../core/errors.ts';

/** The BullMQ queue every coordinator enqueues on and every worker takes jobs from. */
export const QUEUE_NAME = 'assay-tasks';

/** Checks that `url` is a Redis URL; returns it parsed. */
export function parseRedisUrl(url: string, flag = '--queue'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${flag} ${JSON.stringify(url)} is not a URL`, {hint: 'give the Redis server as redis://HOST:PORT (or rediss:// for TLS, redis://:PASSWORD@HOST:PORT/DB)'});
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InputError(`${flag} must be a redis:// or rediss:// URL, got ${JSON.stringify(redactRedisUrl(url))}`, {hint: 'e.g. redis://127.0.0.1:6379'});
  }
  if (!parsed.hostname) throw new InputError(`${flag} ${JSON.stringify(redactRedisUrl(url))} names no host`, {hint: 'e.g. redis://127.0.0.1:6379'});
  return parsed;
}

/** The URL with any password replaced by ***, for logs and run.json. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^@/]*)@/, '//***@');
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException & {message?: string};
  return e?.code ?? e?.message ?? String(error);
}

/**
 * Connects to Redis for long-lived use (reconnecting forever, as BullMQ requires), after a probe that
 * fails fast with a clear error when the server cannot be reached or refuses the credentials.
 */
export async function connectRedis(url: string, opts: {flag?: string; name?: string} = {}): Promise<Redis> {
  parseRedisUrl(url, opts.flag);
  const {Redis} = await import('ioredis');
  const shown = redactRedisUrl(url);
  const probe = new Redis(url, {lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false});
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = await probe.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version && Number(version[1]) < 6) {
      throw new AssayError('queue-redis-version', `Redis at ${shown} is version ${version[1]}.${version[2]}; the queue needs Redis 6.2 or newer`, {hint: 'upgrade Redis (Debian: apt-get install redis-server)', exitCode: 3});
    }
  } catch (error) {
    if (error instanceof AssayError) throw error;
    const reason = describe(error);
    const auth = /NOAUTH|WRONGPASS|AUTH/i.test(reason);
    throw new AssayError('queue-unreachable', `cannot reach Redis at ${shown}: ${reason}`, {
      hint: auth
        ? 'the server wants a password: put it in the URL, redis://:PASSWORD@HOST:PORT (it is never written to run.json)'
        : 'start it (e.g. `redis-server --port 6379`), or check the host, the port and any firewall between here and there',
      exitCode: 3,
    });
  } finally {
    probe.disconnect();
  }
  const options: RedisOptions = {
    connectionName: opts.name,
    // BullMQ's blocking commands must wait out outages instead of failing after N retries.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  const redis = new Redis(url, options);
  return redis;
}
