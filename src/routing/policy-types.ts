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
  /** The prompt text, when the source has it (results.jsonl `input`, outcomes CSV `prompt`): what a learned router reads. */
  prompt?: string;
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
  /** How the model was called when measured (run.json), so a gateway export calls it the same way. */
  wire?: string;
  /** The provider's base URL when it was not the provider's own API. */
  baseURL?: string;
  /** Name of the environment variable holding the key; never the key. */
  keyEnv?: string;
  timeoutMs?: number;
  /** Sampling parameters the measurement used; a gateway must pin them or it serves a different model. */
  params?: {temperature?: number; maxTokens?: number; topP?: number};
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
  /** 95% intervals over the rule's cases (sampling noise only: a rule the selection added leans optimistic). */
  qualityCi95?: [number, number];
  costUsdPer1kCi95?: [number, number] | null;
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
  /** 95% intervals of the (nested) estimate. */
  qualityCi95?: [number, number];
  costUsdPer1kCi95?: [number, number] | null;
  /** The plain cross-validated figures the selection optimised (they meet the target by construction). */
  selectionQuality?: number;
  selectionCostUsdPer1k?: number | null;
}

/** One costlier model's linear predictor of its quality gain over the base model. */
export interface LearnedModel {
  model: string;
  /** Mean extra cost per request over the base model on the training cases (USD). */
  costUsdDelta: number;
  intercept: number;
  /** Float32 little-endian weights over the hashed feature space, base64. */
  weights: string;
}

/**
 * A learned per-request router (`assay route --learn`): per costlier model a ridge regression
 * predicting its quality gain over the base model from the prompt's hashed features; the request
 * goes to the model with the largest predicted gain − μ·extra cost, or the base when none is positive.
 */
export interface LearnedRouter {
  version: 1;
  kind: 'linear-gain';
  /** The cheapest model: served when no costlier model's predicted gain pays for itself. */
  base: string;
  features: import('./prompt-features.ts').FeatureConfig;
  models: LearnedModel[];
  /** Quality points a dollar per request is worth: the decision threshold, chosen by cross-validation to meet the objective. */
  muPerUsd: number;
  /** Ridge penalty chosen by cross-validated squared error. */
  lambda: number;
  /**
   * How far the threshold was aimed above the objective (share of the best model's quality, or of
   * the budget), the least that made the nested estimate meet it: choosing μ on out-of-fold
   * predictions is itself optimistic.
   */
  targetMargin?: number;
  /** Nested cross-validation: the threshold re-chosen inside every outer training part, scored on its held-out fold. */
  expected: PolicyEstimate & {
    /** Share of requests the learned router sends to each model out of sample. */
    share: Record<string, number>;
  };
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
  /** A learned per-request router; requests that carry their prompt (`input`) use it, the rules serve the rest and gateways. */
  learned?: LearnedRouter;
}
