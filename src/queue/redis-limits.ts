import {randomUUID} from 'node:crypto';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Redis} from 'ioredis';
import type {LoadedModel, LoadedProvider} from '../config/load-config.ts';
import type {Limiter, SendTraffic, Slots} from '../runner/execute-task.ts';
import {CircuitBreaker, DEFAULT_BREAKER} from '../traffic/circuit-breaker.ts';
import type {RateLimits, Reservation} from '../traffic/rate-limiter.ts';

/*
 * Rate limits and concurrency shared by every queue worker (and the coordinator's judge calls) through
 * Redis. The rules are the in-process RateLimiter's, evaluated atomically in Lua on Redis's own clock
 * (TIME), so machines with skewed clocks still agree: starts spaced 60 s / rpm (+5%), never more than rpm
 * (or tpm tokens) in any 60-second window nor ceil(limit/60) in any 1-second window, a 429 pauses every
 * start until its Retry-After and halves the rate for a minute. Slots are leases in a sorted set that
 * expire unless renewed, so a worker killed with SIGKILL gives its slots back after one lease.
 */

const RATE_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local MINUTE, SECOND, HEAD = 60000, 1000, 1.05
local rpm, tpm, need, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local function tokensOf(m) return tonumber(string.match(m, ':(%d+)$')) or 0 end
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - MINUTE)
if #old > 0 then
  local drop = 0
  for _, m in ipairs(old) do drop = drop + tokensOf(m) end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - MINUTE)
  redis.call('HINCRBY', KEYS[2], 'tok', -drop)
end
local st = redis.call('HMGET', KEYS[2], 'tok', 'paused', 'factor', 'penaltyUntil')
local tok = tonumber(st[1]) or 0
local factor = tonumber(st[3]) or 1
if now >= (tonumber(st[4]) or 0) then factor = 1 end
local at = math.max(now, tonumber(st[2]) or 0)
local n = redis.call('ZCARD', KEYS[1])
local lastT, lastTok = nil, 0
if n > 0 then
  local l = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  lastT, lastTok = tonumber(l[2]), tokensOf(l[1])
end
local function nth(i)
  local e = redis.call('ZRANGE', KEYS[1], i, i, 'WITHSCORES')
  return tonumber(e[2])
end
local function tokenWindow(want, limit, from)
  local entries = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', from, 'WITHSCORES')
  local sum = 0
  for i = 1, #entries, 2 do
    local k = tokensOf(entries[i])
    if sum + k + want > limit then return tonumber(entries[i + 1]) + (now - from) + 0.001 end
    sum = sum + k
  end
  return 0
end
if rpm > 0 then
  local perMinute = math.max(1, math.floor(rpm * factor))
  if lastT then at = math.max(at, lastT + (MINUTE / perMinute) * HEAD) end
  if n >= perMinute then at = math.max(at, nth(n - perMinute) + MINUTE + 0.001) end
  local perSecond = math.ceil(perMinute / 60)
  if n >= perSecond then at = math.max(at, nth(n - perSecond) + SECOND + 0.001) end
end
if tpm > 0 then
  local perMinute = math.max(1, math.floor(tpm * factor))
  if lastT then at = math.max(at, lastT + (math.min(lastTok, perMinute) / perMinute) * MINUTE * HEAD) end
  local want = math.min(need, perMinute)
  if tok + want > perMinute then at = math.max(at, tokenWindow(want, perMinute, now - MINUTE)) end
  local perSecond = math.ceil(perMinute / 60)
  at = math.max(at, tokenWindow(math.min(need, perSecond), perSecond, now - SECOND))
end
if at <= now then
  redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. need)
  redis.call('HINCRBY', KEYS[2], 'tok', need)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {1, '0'}
end
return {0, tostring(at - now)}
`;

const RATE_RECONCILE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local before = tonumber(string.match(ARGV[1], ':(%d+)$')) or 0
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], score, ARGV[2] .. ':' .. ARGV[3])
redis.call('HINCRBY', KEYS[2], 'tok', tonumber(ARGV[3]) - before)
return 1
`;

const RATE_PENALIZE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local st = redis.call('HMGET', KEYS[1], 'paused', 'factor', 'penaltyUntil')
local factor = tonumber(st[2]) or 1
if now >= (tonumber(st[3]) or 0) then factor = 1 end
redis.call('HSET', KEYS[1], 'paused', tostring(math.max(tonumber(st[1]) or 0, now + tonumber(ARGV[1]))), 'factor', tostring(math.max(0.125, factor / 2)), 'penaltyUntil', tostring(now + 60000))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

const SEM_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return {1, '0'}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(first[2]) - now)}
`;

const SEM_RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1
`;

const RELEASED_CHANNEL = 'assay:slots:released';
/** Limiter state lives this long after the last start (longer than any window it looks at). */
const LIMITER_TTL_MS = 180_000;

interface LimitCommands {
  assayRateAcquire(rateKey: string, stateKey: string, rpm: number, tpm: number, tokens: number, id: string, ttlMs: number): Promise<[number, string]>;
  assayRateReconcile(rateKey: string, stateKey: string, member: string, id: string, tokens: number): Promise<number>;
  assayRatePenalize(stateKey: string, retryAfterMs: number, ttlMs: number): Promise<number>;
  assaySemAcquire(key: string, capacity: number, leaseMs: number, token: string): Promise<[number, string]>;
  assaySemRenew(key: string, leaseMs: number, token: string): Promise<number>;
}

function defineCommands(redis: Redis): Redis & LimitCommands {
  const r = redis as Redis & Partial<LimitCommands>;
  if (!r.assayRateAcquire) {
    redis.defineCommand('assayRateAcquire', {numberOfKeys: 2, lua: RATE_ACQUIRE});
    redis.defineCommand('assayRateReconcile', {numberOfKeys: 2, lua: RATE_RECONCILE});
    redis.defineCommand('assayRatePenalize', {numberOfKeys: 1, lua: RATE_PENALIZE});
    redis.defineCommand('assaySemAcquire', {numberOfKeys: 1, lua: SEM_ACQUIRE});
    redis.defineCommand('assaySemRenew', {numberOfKeys: 1, lua: SEM_RENEW});
  }
  return redis as Redis & LimitCommands;
}

/** rpm/tpm shared by every process that uses the same Redis key. */
export class RedisRateLimiter implements Limiter {
  private readonly redis: Redis & LimitCommands;
  private readonly key: string;
  readonly limits: RateLimits;
  private waitingCount = 0;

  constructor(redis: Redis, key: string, limits: RateLimits) {
    this.redis = defineCommands(redis);
    this.key = key;
    this.limits = limits;
  }

  get active(): boolean {
    return this.limits.rpm !== undefined || this.limits.tpm !== undefined;
  }

  /** Requests of this process held back by the limit right now. */
  get waiting(): number {
    return this.waitingCount;
  }

  async acquire(tokens: number, signal?: AbortSignal): Promise<Reservation> {
    const started = performance.now();
    const need = Math.max(0, Math.round(tokens));
    const id = randomUUID().slice(0, 13);
    this.waitingCount++;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const [ok, wait] = await this.redis.assayRateAcquire(`${this.key}:starts`, `${this.key}:state`, this.limits.rpm ?? 0, this.limits.tpm ?? 0, need, id, LIMITER_TTL_MS);
        if (ok === 1) break;
        await sleep(Math.max(1, Math.ceil(Number(wait))), undefined, {signal});
      }
    } finally {
      this.waitingCount--;
    }
    let member = `${id}:${need}`;
    return {
      waitedMs: performance.now() - started,
      reconcile: (actual) => {
        if (actual === null || !Number.isFinite(actual) || this.limits.tpm === undefined) return;
        const tokensNow = Math.max(0, Math.round(actual));
        const previous = member;
        member = `${id}:${tokensNow}`;
        // Best effort: a failed reconcile leaves the (usually larger) estimate in place.
        this.redis.assayRateReconcile(`${this.key}:starts`, `${this.key}:state`, previous, id, tokensNow).catch(() => {});
      },
    };
  }

  penalize(retryAfterMs: number | null): void {
    this.redis.assayRatePenalize(`${this.key}:state`, retryAfterMs ?? 1000, LIMITER_TTL_MS).catch(() => {});
  }
}

/**
 * A counting semaphore whose slots are leases in a Redis sorted set (member = holder, score = expiry).
 * Holders renew every lease/3; a killed holder's slot frees itself when its lease runs out. A release
 * is published so waiters on every machine retry at once instead of polling.
 */
export class RedisSemaphore implements Slots {
  private readonly owner: RedisLimits;
  private readonly key: string;
  readonly capacity: number;

  constructor(owner: RedisLimits, key: string, capacity: number) {
    this.owner = owner;
    this.key = key;
    this.capacity = capacity;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    const redis = this.owner.redis;
    const leaseMs = this.owner.leaseMs;
    const token = randomUUID();
    for (;;) {
      signal?.throwIfAborted();
      const wake = this.owner.nextRelease(this.key);
      const [ok, wait] = await redis.assaySemAcquire(this.key, this.capacity, leaseMs, token);
      if (ok === 1) {
        wake.cancel();
        break;
      }
      // Woken by a release anywhere, or when the oldest lease would expire, or after 500 ms at most.
      await wake.or(Math.min(500, Math.max(5, Math.ceil(Number(wait)))), signal);
    }
    const renew = setInterval(() => void redis.assaySemRenew(this.key, leaseMs, token).catch(() => {}), Math.max(100, Math.floor(leaseMs / 3)));
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      redis
        .multi()
        .zrem(this.key, token)
        .publish(RELEASED_CHANNEL, this.key)
        .exec()
        .catch(() => {});
    };
  }
}

export interface TrafficSpec {
  label: string;
  provider: LoadedProvider;
  limits: LoadedModel['limits'];
}

/**
 * Builds shared limits for models and providers. Keys name the provider by id and base URL, so every
 * run on the same Redis shares a provider's budget, as the provider itself counts it.
 */
export class RedisLimits {
  readonly redis: Redis & LimitCommands;
  readonly leaseMs: number;
  private subscriber: Redis | null = null;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly providerLimiters = new Map<string, RedisRateLimiter>();
  private readonly providerSlots = new Map<string, RedisSemaphore>();
  private readonly traffic = new Map<string, SendTraffic & {limiters: RedisRateLimiter[]}>();
  private readonly globals = new Map<string, RedisSemaphore>();

  constructor(redis: Redis, opts: {leaseMs?: number} = {}) {
    this.redis = defineCommands(redis);
    this.leaseMs = Math.max(1000, opts.leaseMs ?? 30_000);
  }

  private providerKey(p: LoadedProvider): string {
    return `assay:limits:${p.id}@${p.baseURL ?? p.type}`;
  }

  /** Limiters, breaker (per process: each worker trips its own) and slots for one model. */
  for(spec: TrafficSpec): SendTraffic & {limiters: RedisRateLimiter[]} {
    const pk = this.providerKey(spec.provider);
    const cacheKey = `${pk}|${spec.label}|${JSON.stringify(spec.limits ?? {})}|${JSON.stringify(spec.provider.limits ?? {})}`;
    let traffic = this.traffic.get(cacheKey);
    if (traffic) return traffic;
    const p = spec.provider;
    let providerLimiter = this.providerLimiters.get(pk);
    if (!providerLimiter) this.providerLimiters.set(pk, (providerLimiter = new RedisRateLimiter(this.redis, pk, {rpm: p.limits?.rpm, tpm: p.limits?.tpm})));
    let providerSlots = this.providerSlots.get(pk);
    if (!providerSlots && p.limits?.concurrency) this.providerSlots.set(pk, (providerSlots = new RedisSemaphore(this, `${pk}:slots`, p.limits.concurrency)));
    const own = new RedisRateLimiter(this.redis, `${pk}:model:${spec.label}`, {rpm: spec.limits?.rpm, tpm: spec.limits?.tpm});
    const breakerSettings = p.circuitBreaker === false ? null : {...DEFAULT_BREAKER, ...p.circuitBreaker};
    traffic = {
      limiters: [own, providerLimiter].filter((l) => l.active),
      breaker: breakerSettings ? new CircuitBreaker(breakerSettings, () => {}) : null,
      modelSlots: spec.limits?.concurrency ? new RedisSemaphore(this, `${pk}:model:${spec.label}:slots`, spec.limits.concurrency) : null,
      providerSlots: providerSlots ?? null,
    };
    this.traffic.set(cacheKey, traffic);
    return traffic;
  }

  /** The run-wide cap on requests in flight (`concurrency` of the run), across every worker. */
  global(runKey: string, capacity: number): RedisSemaphore {
    const key = `assay:run:${runKey}:slots`;
    let sem = this.globals.get(`${key}|${capacity}`);
    if (!sem) this.globals.set(`${key}|${capacity}`, (sem = new RedisSemaphore(this, key, capacity)));
    return sem;
  }

  /** Resolves at the next published release of `key` (or when `or` times out); cancel() if not needed. */
  nextRelease(key: string): {or(ms: number, signal?: AbortSignal): Promise<void>; cancel(): void} {
    this.subscribe();
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    set.add(wake);
    const cancel = () => {
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(key);
    };
    return {
      cancel,
      or: async (ms, signal) => {
        const timer = new AbortController();
        const onAbort = () => timer.abort();
        signal?.addEventListener('abort', onAbort, {once: true});
        try {
          await Promise.race([woken, sleep(ms, undefined, {signal: timer.signal}).catch(() => {})]);
        } finally {
          timer.abort();
          signal?.removeEventListener('abort', onAbort);
          cancel();
        }
      },
    };
  }

  private subscribe(): void {
    if (this.subscriber) return;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', () => {});
    sub.on('message', (_channel: string, key: string) => {
      const set = this.waiters.get(key);
      if (!set) return;
      for (const wake of [...set]) wake();
    });
    sub.subscribe(RELEASED_CHANNEL).catch(() => {});
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
