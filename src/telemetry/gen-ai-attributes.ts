import type {RequestSample} from './request-sample.ts';

/**
 * OpenTelemetry GenAI semantic conventions (client spans and metrics). gen_ai.system is the older name of
 * gen_ai.provider.name; both are set so collectors on either version of the conventions group by provider.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  tokenType: 'gen_ai.token.type',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
} as const;

/** The conventions' bucket advice for gen_ai.client.operation.duration (seconds). */
export const DURATION_BUCKETS_S = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** The conventions' bucket advice for gen_ai.client.token.usage. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** The conventions' well-known provider names; a type they do not list (http, sandbox) keeps assay's name. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
};

export function providerName(providerType: string): string {
  return PROVIDER_NAMES[providerType] ?? providerType;
}

/** Attributes shared by a request's span and its metric points: low-cardinality names only. */
export function metricAttributes(sample: RequestSample): Record<string, string> {
  const provider = providerName(sample.providerType);
  return {
    [GEN_AI.operationName]: 'chat',
    [GEN_AI.system]: provider,
    [GEN_AI.providerName]: provider,
    [GEN_AI.requestModel]: sample.model,
    'assay.model': sample.label,
    'assay.command': sample.command,
    ...(sample.errorType ? {[GEN_AI.errorType]: sample.errorType} : {}),
  };
}

/** A request span's attributes: the metric attributes plus per-request ids and counts. */
export function spanAttributes(sample: RequestSample): Record<string, string | number | boolean | string[]> {
  const attributes: Record<string, string | number | boolean | string[]> = {...metricAttributes(sample), 'assay.run.id': sample.runId};
  if (sample.inputTokens !== null) attributes[GEN_AI.inputTokens] = sample.inputTokens;
  if (sample.outputTokens !== null) attributes[GEN_AI.outputTokens] = sample.outputTokens;
  if (sample.httpStatus !== null) attributes[GEN_AI.httpStatus] = sample.httpStatus;
  if (sample.responseModel) attributes[GEN_AI.responseModel] = sample.responseModel;
  if (sample.finishReason) attributes[GEN_AI.finishReasons] = [sample.finishReason];
  if (sample.suiteId) attributes['assay.suite.id'] = sample.suiteId;
  if (sample.caseId) attributes['assay.case.id'] = sample.caseId;
  if (sample.ttftMs !== null) attributes['assay.ttft_ms'] = sample.ttftMs;
  if (sample.costUsd !== null) attributes['assay.cost_usd'] = sample.costUsd;
  if (sample.pass !== null) attributes['assay.pass'] = sample.pass;
  return attributes;
}
