import type {LoadedModel} from '../config/load-config.ts';
import {CircuitBreaker, DEFAULT_BREAKER, type BreakerTransition} from './circuit-breaker.ts';
import {DEFAULT_FAIL_FAST, FailFast} from './fail-fast.ts';
import {RateLimiter} from './rate-limiter.ts';
import {Semaphore} from './semaphore.ts';

export interface ModelTraffic {
  /** The model's own limiter (if it sets rpm/tpm) and its provider's shared one. */
  limiters: RateLimiter[];
  breaker: CircuitBreaker | null;
  failFast: FailFast | null;
  /** Per-task slots: the model's, then the provider's concurrency. */
  modelSlots: Semaphore | null;
  providerSlots: Semaphore | null;
}

/** Owns every limiter, breaker and slot of a run, keyed per provider and per model. */
export class TrafficControl {
  readonly global: Semaphore;
  private readonly providerLimiters = new Map<string, RateLimiter>();
  private readonly providerSlots = new Map<string, Semaphore>();
  private readonly models = new Map<string, ModelTraffic>();
  readonly transitions: Array<BreakerTransition & {model: string}> = [];
  private readonly onTransition: (t: BreakerTransition & {model: string}) => void;

  constructor(globalConcurrency: number, onTransition: (t: BreakerTransition & {model: string}) => void = () => {}) {
    this.global = new Semaphore(globalConcurrency);
    this.onTransition = onTransition;
  }

  for(model: LoadedModel): ModelTraffic {
    let traffic = this.models.get(model.label);
    if (traffic) return traffic;
    const p = model.provider;
    let providerLimiter = this.providerLimiters.get(p.id);
    if (!providerLimiter) this.providerLimiters.set(p.id, (providerLimiter = new RateLimiter({rpm: p.limits?.rpm, tpm: p.limits?.tpm})));
    let providerSlots = this.providerSlots.get(p.id);
    if (!providerSlots && p.limits?.concurrency) this.providerSlots.set(p.id, (providerSlots = new Semaphore(p.limits.concurrency)));
    const own = new RateLimiter({rpm: model.limits?.rpm, tpm: model.limits?.tpm});
    const breakerSettings = p.circuitBreaker === false ? null : {...DEFAULT_BREAKER, ...p.circuitBreaker};
    traffic = {
      limiters: [own, providerLimiter].filter((l) => l.active),
      breaker: breakerSettings
        ? new CircuitBreaker(breakerSettings, (t) => {
            const entry = {...t, model: model.label};
            this.transitions.push(entry);
            this.onTransition(entry);
          })
        : null,
      failFast: p.failFast === false ? null : new FailFast({...DEFAULT_FAIL_FAST, ...p.failFast}),
      modelSlots: model.limits?.concurrency ? new Semaphore(model.limits.concurrency) : null,
      providerSlots: providerSlots ?? null,
    };
    this.models.set(model.label, traffic);
    return traffic;
  }

  /** Requests held back by a rate limit right now, per model (for the live view). */
  throttled(model: LoadedModel): number {
    return this.for(model).limiters.reduce((n, l) => n + l.waiting, 0);
  }
}
