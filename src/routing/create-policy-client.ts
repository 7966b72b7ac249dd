import {setTimeout as sleep} from 'node:timers/promises';
import type {ChatMessage, ErrorClass, ModelParams} from '../core/types.ts';
import {ProviderError} from '../providers/provider-error.ts';
import type {Completion, ProviderClient} from '../providers/provider-client.ts';
import {backoffMs} from '../runner/retry-policy.ts';
import {CircuitBreaker, type BreakerState} from '../traffic/circuit-breaker.ts';
import {createRouter, type RouteRequest, type Router} from './create-router.ts';
import {DEFAULT_GATEWAY_TIMEOUT_MS, gatewayTarget} from './gateway-targets.ts';
import type {RoutingPolicy} from './policy-types.ts';

export interface PolicyModel {
  client: ProviderClient;
  /** The provider's model id; default: the policy's `models.<label>.model`, else the label. */
  model?: string;
  /** Default: the params the policy recorded as measured. */
  params?: ModelParams;
  timeoutMs?: number;
}

export interface PolicyRequest extends RouteRequest {
  messages: ChatMessage[];
  /** Merged over the model's measured params. */
  params?: ModelParams;
  stream?: boolean;
  signal?: AbortSignal;
}

export type PolicyEvent =
  | {type: 'attempt'; model: string; attempt: number; rule: string}
  | {type: 'failure'; model: string; attempt: number; errorClass: ErrorClass; status: number | null; retryInMs: number | null}
  | {type: 'success'; model: string; attempt: number; latencyMs: number}
  | {type: 'skip'; model: string; reason: 'breaker-open' | 'no-client'}
  | {type: 'breaker'; model: string; from: BreakerState; to: BreakerState; errorRate: number; attempts: number};

export interface PolicyResponse {
  completion: Completion;
  /** The label that answered. */
  model: string;
  ruleName: string;
  /** Attempts sent across every model, retries included. */
  attempts: number;
  /** Labels tried, in order (skipped ones excluded). */
  tried: string[];
}

export interface PolicyClient {
  complete(request: PolicyRequest): Promise<PolicyResponse>;
  readonly router: Router;
  breakerState(label: string): BreakerState;
}

/**
 * The whole policy in-process: route() picks the order; each model gets the policy's retries (its
 * statuses, backoff and Retry-After handling) and timeout, then the next model; a breaker per model
 * (the policy's error rate over its window) skips a model that keeps failing. Events say what each
 * attempt did.
 */
export function createPolicyClient(
  policy: RoutingPolicy,
  opts: {models: Readonly<Record<string, PolicyModel>>; onEvent?: (event: PolicyEvent) => void; random?: () => number; now?: () => number},
): PolicyClient {
  const router = createRouter(policy, {random: opts.random});
  const {retry, circuitBreaker} = policy.resilience;
  const emit = opts.onEvent ?? (() => {});
  const breakers = new Map<string, CircuitBreaker>();
  const breaker = (label: string) => {
    let b = breakers.get(label);
    if (!b) {
      b = new CircuitBreaker(circuitBreaker, (t) => emit({type: 'breaker', model: label, from: t.from, to: t.to, errorRate: t.errorRate, attempts: t.attempts}), opts.now);
      breakers.set(label, b);
    }
    return b;
  };
  const retryOn = new Set<ErrorClass>(retry.retryOn);
  const counts = new Set<ErrorClass>(circuitBreaker.countClasses);

  async function complete(request: PolicyRequest): Promise<PolicyResponse> {
    const decision = router.decide(request);
    const tried: string[] = [];
    let attempts = 0;
    let last: ProviderError | undefined;
    for (const label of decision.models) {
      const m = opts.models[label];
      if (!m) {
        emit({type: 'skip', model: label, reason: 'no-client'});
        continue;
      }
      const target = gatewayTarget(label, policy.models[label]);
      const modelId = m.model ?? target.modelId;
      const params = {...(m.params ?? target.params), ...request.params};
      const timeoutMs = m.timeoutMs ?? policy.models[label]?.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
      const b = breaker(label);
      let triedThis = false;
      for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
        if (!b.tryAcquire()) {
          if (!triedThis) emit({type: 'skip', model: label, reason: 'breaker-open'});
          break;
        }
        if (!triedThis) tried.push(label);
        triedThis = true;
        attempts++;
        emit({type: 'attempt', model: label, attempt, rule: decision.ruleName});
        try {
          const completion = await m.client.complete(modelId, {messages: request.messages, params, stream: request.stream ?? false, timeoutMs, signal: request.signal});
          b.record(false);
          emit({type: 'success', model: label, attempt, latencyMs: completion.latencyMs});
          return {completion, model: label, ruleName: decision.ruleName, attempts, tried};
        } catch (raw) {
          const error = raw instanceof ProviderError ? raw : new ProviderError('network', (raw as Error)?.message ?? String(raw), {cause: raw});
          last = error;
          b.record(counts.has(error.errorClass));
          const again = retryOn.has(error.errorClass) && attempt < retry.maxAttempts && !request.signal?.aborted;
          const hint = retry.respectRetryAfter ? error.retryAfterMs : null;
          const waitMs = again ? backoffMs(retry, attempt, hint, opts.random) : null;
          emit({type: 'failure', model: label, attempt, errorClass: error.errorClass, status: error.status, retryInMs: waitMs});
          if (request.signal?.aborted) throw error;
          if (waitMs === null) break;
          await sleep(waitMs, undefined, {signal: request.signal});
        }
      }
    }
    if (last) throw last;
    throw new ProviderError('server', `no model of route "${decision.ruleName}" could be tried (${decision.models.join(', ')})`, {
      hint: 'every breaker on the route is open or no client was given for its models; wait for the cooldown or add fallbacks',
      retryable: true,
    });
  }

  return {complete, router, breakerState: (label) => breaker(label).state};
}
