import type {LoadedConfig, LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {classifyError} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import type {ProviderClient} from '../providers/provider-client.ts';
import type {Limiter, Slots} from './execute-task.ts';
import {cacheRatiosFor, priceRequest} from './cost.ts';
import {DEFAULT_RETRY, withRetry} from './retry-policy.ts';

/** Judge calls use temperature 0 and a bounded reply; the model's other params still apply. */
const JUDGE_MAX_TOKENS = 512;

/**
 * Lets graders call a configured model (a judge) through the run's own clients, rate limits,
 * retries and global slots, so judging can neither exceed a provider's limits nor dodge them.
 */
/** The limits judge calls go through: the run's TrafficControl, or limits shared through Redis in queue mode. */
export interface CallerTraffic {
  for(model: LoadedModel): {limiters: Limiter[]};
  global: Slots;
}

export function createModelCaller(loaded: LoadedConfig, clients: Map<string, ProviderClient>, traffic: CallerTraffic, signal: AbortSignal): ModelCaller {
  return async (label, messages) => {
    const model = loaded.models.get(label);
    if (!model) throw new InputError(`judge model "${label}" is not configured`);
    const client = clients.get(model.provider.id);
    if (!client) throw new InputError(`no client for judge model "${label}"`);
    const provider = model.provider;
    const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const params = {...model.params, temperature: 0, maxTokens: model.params.maxTokens ?? JUDGE_MAX_TOKENS};
    const classify = (e: unknown) => classifyError(e, {providerId: provider.id, model: model.model, baseURL: provider.baseURL, keyEnv: keyEnvOf(provider), timeoutMs, secrets: []});
    const limits = traffic.for(model).limiters;
    const outcome = await withRetry(
      {...DEFAULT_RETRY, ...provider.retry},
      async () => {
        for (const limiter of limits) await limiter.acquire(500 + params.maxTokens, signal);
        const release = await traffic.global.acquire();
        try {
          return await client.complete(model.model, {messages, params, stream: false, signal, timeoutMs});
        } catch (error) {
          const failure = classify(error);
          if (failure.errorClass === 'rate-limit') for (const limiter of limits) limiter.penalize(failure.retryAfterMs);
          throw failure;
        } finally {
          release();
        }
      },
      {signal, classify},
    );
    if (outcome.error || !outcome.value) throw outcome.error ?? new Error('judge call failed');
    const c = outcome.value;
    const inputTokens = c.inputTokens ?? 0;
    const outputTokens = c.outputTokens ?? 0;
    // A judge's cached and reasoning tokens are priced like the graded model's (and a reported cost wins the same way).
    const computed = priceRequest(model.pricing, {...c, inputTokens, outputTokens}, cacheRatiosFor(provider))?.costUsd ?? null;
    const cost = typeof c.reportedCostUsd === 'number' && provider.reportedCost !== 'ignore' ? c.reportedCostUsd : computed;
    return {text: c.text, inputTokens, outputTokens, costUsd: cost, latencyMs: c.latencyMs};
  };
}
