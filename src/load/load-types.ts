import type {ErrorClass} from '../core/types.ts';
import type {ArrivalProcess} from './arrivals.ts';

/** What one step offers: a closed loop at N in flight, or an open loop at R requests/s. */
export type StepPlan = {kind: 'concurrency'; concurrency: number} | {kind: 'rate'; rateRps: number; arrivals: ArrivalProcess; burstiness: number};

/** When a step stops sending: whichever bound comes first (at least one is set). Warm-up requests come on top. */
export interface StepBounds {
  durationMs?: number;
  requests?: number;
  warmupRequests: number;
}

/** Per-request SLOs for goodput; a request is good when it succeeded and meets every one given. */
export interface Slo {
  ttftMs?: number;
  /** Compared with the request's own mean time per output token after the first (TPOT). */
  itlMs?: number;
  e2eMs?: number;
}

/** One request's timeline. Times are ms after the step started, on the generator's monotonic clock. */
export interface RequestRecord {
  /** The model's label. */
  model: string;
  step: number;
  index: number;
  warmup: boolean;
  /** When the schedule wanted it sent (open loop), or when its worker became free (closed loop). */
  scheduledMs: number;
  /** When the generator got round to it: `dispatchedMs − scheduledMs` is the generator's own lag. */
  dispatchedMs: number;
  /** When it went to the SDK, after any concurrency or rate limit of the config held it back. */
  sentMs: number;
  endMs: number;
  /** Sends of this request: 1 unless retries were asked for (`sentMs` is the last one's). */
  attempts: number;
  status: 'ok' | 'error';
  errorClass: ErrorClass | null;
  httpStatus: number | null;
  /** From `sentMs`; null without streaming or without any text. */
  ttftMs: number | null;
  e2eMs: number;
  /** From `scheduledMs`: what a user arriving on schedule saw, including any wait in the generator. */
  ttftFromScheduledMs: number | null;
  e2eFromScheduledMs: number;
  /** (last chunk − first chunk) / (output tokens − 1): the decode time per token (vLLM's TPOT). */
  tpotMs: number | null;
  /** Gaps between consecutive text chunks (pooled across requests into the step's ITL distribution). */
  itlGapsMs: number[];
  chunks: number;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Output tokens counted as chunks because the provider reported no usage. */
  tokensEstimated: boolean;
  maxTokens: number;
}

/** Percentiles with the sample size they rest on; p95 is null under 20 values and p99 under 100 (too few to say). */
export interface Percentiles {
  n: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface StepResult {
  index: number;
  /** `synchronous` and `throughput` are the sweep's two probes (closed loops at 1 and at the maximum). */
  role: 'synchronous' | 'throughput' | 'concurrency' | 'rate';
  plan: StepPlan;
  /** When the step started (ms since the epoch): every record's times are ms after it. */
  startedAtEpochMs: number;
  /** The rate the step offered (open loop); null for a closed loop, which offers whatever the server lets it. */
  offeredRps: number | null;
  concurrency: number | null;
  /** The measured window: first measured scheduled send to last measured completion. */
  durationS: number;
  /** First to last successful completion: the span every rate below is measured over. */
  completionSpanS: number;
  requests: {measured: number; ok: number; errors: number; warmup: number};
  achievedRps: number;
  outputTokensPerS: number;
  /** Successful requests meeting every SLO, per second (all successful ones when no SLO is set). */
  goodputRps: number;
  /** Good requests ÷ measured requests (errors stay in the denominator). */
  sloAttainment: number | null;
  ttftMs: Percentiles;
  /** Pooled gaps between streamed chunks, every request's (vLLM's ITL; token-weighted). */
  itlMs: Percentiles;
  /** One decode time per output token per request (vLLM's TPOT; request-weighted). */
  tpotMs: Percentiles;
  e2eMs: Percentiles;
  ttftFromScheduledMs: Percentiles;
  e2eFromScheduledMs: Percentiles;
  /** Waits for the config's concurrency and rate limits before sending. */
  limitWaitMs: Percentiles;
  /** How late the generator dispatched each request against its schedule. */
  generatorLagMs: Percentiles;
  /** The rate the drawn schedule asked for, over its measured requests (open loop; a short Poisson schedule is off its nominal rate by chance). */
  scheduledRps: number | null;
  /** Measured requests dispatched per second (open loop): falls short of scheduledRps when the generator cannot keep up. */
  dispatchedRps: number | null;
  errors: Partial<Record<ErrorClass, number>>;
  /** Share of measured requests answered 429 (never retried inside a step). */
  rateLimitedShare: number;
  tokensEstimated: boolean;
  valid: boolean;
  /** Why the step is not valid, in words. */
  invalidReason: string | null;
}

export interface ModelLoad {
  label: string;
  provider: string;
  model: string;
  simulated: boolean;
  steps: StepResult[];
  /** The highest valid open-loop step whose goodput still tracked its offered rate (≥ 90%); null without such a step. */
  saturationRps: number | null;
  /** Sweep only: the synchronous and throughput probes' achieved rates. */
  synchronousRps: number | null;
  maxThroughputRps: number | null;
}

export interface LoadReport {
  kind: 'load';
  runId: string;
  startedAt: string;
  endedAt: string;
  profile: 'concurrency' | 'rate' | 'sweep';
  simulated: boolean;
  workload: {inputTokens: string; outputTokens: string; stream: boolean; allowCache: boolean; suite: string | null; sample: string | null; seed: number};
  slo: Slo;
  limits: 'config' | 'ignored';
  /** Whether failed requests were retried inside steps (off by default: retries hide saturation). */
  retries: boolean;
  definitions: Record<string, string>;
  models: Record<string, ModelLoad>;
}
