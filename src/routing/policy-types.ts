import type {ErrorClass, Pricing} from '../core/types.ts';

/** What one model did on one case, repeats averaged: the unit the policy generator and simulator work on. */
export interface ModelOutcome {
  /** Mean score (0..1) over the repeats that got an answer; null when every attempt ended in error. */
  score: number | null;
  /** Mean known cost per request; null when the price is unknown (never guessed as 0). */
  costUsd: number | null;
  /** Mean latency of uncached answers; null when unknown. */
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Requests recorded and how many of them ended in error (errors are not scored as wrong answers). */
  requests: number;
  errors: number;
}

/** One case joined across models by its id (run results: `suiteId/caseId`). */
export interface CaseOutcomes {
  caseId: string;
  tags: string[];
  /** Equality-matchable fields: `suite` for run results, extra columns of an outcomes CSV. */
  metadata: Record<string, string>;
  /** Median over models of the prompt's token count (tokenizers differ); null when nobody reported it. */
  inputTokens: number | null;
  byModel: Record<string, ModelOutcome>;
}

export interface ModelInfo {
  provider?: string;
  /** The provider's model id, where known (run.json). */
  model?: string;
  /** Provider kind: openai | anthropic | gemini | openai-compatible | sandbox ... */
  type?: string;
  pricing?: Pricing;
  simulated?: boolean;
  /** Added by --canary without measurements of its own. */
  canary?: boolean;
}

export interface ModelErrorStats {
  requests: number;
  /** Requests actually sent, retries included (run results only; 0 when unknown). */
  attempts: number;
  errors: number;
  errorsByClass: Partial<Record<ErrorClass, number>>;
}

/** Everything `loadOutcomes` read, merged: the input of generatePolicy and simulatePolicy. */
export interface OutcomeSet {
  sources: string[];
  models: Record<string, ModelInfo>;
  cases: CaseOutcomes[];
  errorStats: Record<string, ModelErrorStats>;
  warnings: string[];
}

/** A rule's condition. Every given part must hold (AND); tags: the request has all of them. */
export interface RuleCondition {
  tags?: string[];
  metadata?: Record<string, string>;
  /** Half-open range [min, max) of the request's input tokens. */
  inputTokens?: {min?: number; max?: number};
}

export interface WeightedModel {
  model: string;
  weight: number;
}

export interface ExpectedPerformance {
  /** Mean score out of sample (cross-validated), not the in-sample fit. */
  quality: number;
  costUsdPer1k: number | null;
  p95LatencyMs: number | null;
  n: number;
}

export interface PolicyRule {
  name: string;
  when: RuleCondition;
  route: WeightedModel[];
  fallback: string[];
  expected: ExpectedPerformance;
  rationale: string;
}

export interface DefaultRoute {
  route: WeightedModel[];
  fallback: string[];
  expected: ExpectedPerformance;
  rationale: string;
}

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Error classes worth another attempt (transient), as observed or assay's defaults. */
  retryOn: ErrorClass[];
  /** HTTP statuses matching retryOn, for gateways that retry by status. */
  retryOnStatus: number[];
  respectRetryAfter: boolean;
}

export interface CircuitBreakerSettings {
  errorRate: number;
  minRequests: number;
  cooldownMs: number;
  windowMs: number;
  /** Classes that count as failures: rate limits (the endpoint is alive) and 4xx (our fault) never do. */
  countClasses: ErrorClass[];
}

export interface Resilience {
  retry: RetrySettings;
  circuitBreaker: CircuitBreakerSettings;
  /** Why these numbers: observed rates and classes. */
  basis: string[];
}

export interface Objective {
  /** Share of the best single model's quality the policy must keep (minimise cost subject to it). */
  minQuality?: number;
  relativeTo?: 'best-single-model';
  /** Budget per 1000 requests (maximise quality subject to it). */
  maxCostUsdPer1k?: number;
  maxP95LatencyMs?: number;
}

/** One operating point of the rule set: the model per rule (default last) at another trade-off. */
export interface CurvePoint {
  /** Cross-validated quality relative to the best single model at this point. */
  relativeQuality: number;
  routes: string[];
}

export interface PolicyEstimate {
  method: string;
  folds: number;
  seed: number;
  n: number;
  quality: number;
  costUsdPer1k: number | null;
  p95LatencyMs: number | null;
  bestSingleModel: string;
  bestSingleQuality: number;
  bestSingleCostUsdPer1k: number | null;
  /** The in-sample figures, for contrast only: they flatter the policy. */
  inSampleQuality: number;
  inSampleCostUsdPer1k: number | null;
}

/** routing-policy.yaml (SPEC.md). */
export interface RoutingPolicy {
  version: 1;
  generatedAt: string;
  sources: string[];
  objective: Objective;
  models: Record<string, ModelInfo>;
  rules: PolicyRule[];
  default: DefaultRoute;
  resilience: Resilience;
  canary?: WeightedModel;
  expected?: PolicyEstimate;
  curve?: CurvePoint[];
}
