/**
 * One provider request as telemetry sees it, whichever command sent it. Built from a run's Result or a
 * load test's RequestRecord; it holds only names and numbers assay chose or measured, never a prompt,
 * an answer, an error message or anything from a provider's settings (a base URL can carry a key).
 */
export interface RequestSample {
  command: 'run' | 'load' | 'monitor';
  /** The config's label for the model (what the report calls it). */
  label: string;
  /** The model id sent to the provider: gen_ai.request.model. */
  model: string;
  /** The provider's type in the config (openai, anthropic, sandbox, …), mapped to gen_ai.provider.name. */
  providerType: string;
  startEpochMs: number;
  endEpochMs: number;
  /** Null when the request failed before an answer. */
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** The error class (rate-limit, timeout, …): error.type. Null when it succeeded. */
  errorType: string | null;
  httpStatus: number | null;
  costUsd: number | null;
  /** Graded verdict of a run's answer; null when ungraded (load tests never grade). */
  pass: boolean | null;
  runId: string;
  /** The model the response names (gen_ai.response.model), where it names one. */
  responseModel?: string | null;
  /** gen_ai.response.finish_reasons, where the provider said why it stopped. */
  finishReason?: string | null;
  suiteId?: string;
  caseId?: string;
}
