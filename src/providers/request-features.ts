import type {ModelParams} from '../core/types.ts';

/**
 * Reasoning, structured output and extra fields in each API's own words. Effort levels map one to
 * one where the API has them; a token budget goes where the API takes one. Anthropic and Gemini take
 * effort and budget; OpenAI chat completions take effort only (see UNSUPPORTED_BUDGET).
 */
export const UNSUPPORTED_BUDGET = 'reasoning.budgetTokens (OpenAI chat completions take reasoning.effort)';

export function openaiFeatures(p: ModelParams): Record<string, unknown> {
  const f = p.responseFormat;
  return {
    ...(p.reasoning && 'effort' in p.reasoning && {reasoning_effort: p.reasoning.effort}),
    ...(f?.type === 'json_object' && {response_format: {type: 'json_object'}}),
    ...(f?.type === 'json_schema' && {response_format: {type: 'json_schema', json_schema: {name: f.name ?? 'answer', schema: f.schema, strict: f.strict ?? true}}}),
    ...p.extra,
  };
}

export function anthropicFeatures(p: ModelParams): Record<string, unknown> {
  const f = p.responseFormat;
  const effort = p.reasoning && 'effort' in p.reasoning ? (p.reasoning.effort === 'minimal' ? 'low' : p.reasoning.effort) : undefined;
  const format = f?.type === 'json_schema' ? {type: 'json_schema', schema: f.schema} : f?.type === 'json_object' ? {type: 'json_schema', schema: {type: 'object'}} : undefined;
  return {
    ...(p.reasoning && 'budgetTokens' in p.reasoning && {thinking: {type: 'enabled', budget_tokens: p.reasoning.budgetTokens}}),
    ...((effort || format) && {output_config: {...(effort && {effort}), ...(format && {format})}}),
    ...p.extra,
  };
}

const GEMINI_LEVEL = {minimal: 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH'} as const;

export function geminiFeatures(p: ModelParams): Record<string, unknown> {
  const f = p.responseFormat;
  const r = p.reasoning;
  return {
    ...(r && {thinkingConfig: 'effort' in r ? {thinkingLevel: GEMINI_LEVEL[r.effort]} : {thinkingBudget: r.budgetTokens}}),
    ...(f && {responseMimeType: 'application/json'}),
    ...(f?.type === 'json_schema' && {responseJsonSchema: f.schema}),
    // The SDK maps known config fields only: extra fields go into the HTTP body through extraBody.
    ...(p.extra && {httpOptions: {extraBody: p.extra}}),
  };
}

/** Anthropic refuses sampling settings beside extended thinking, and wants max_tokens above the budget. */
export function anthropicThinking(p: ModelParams, maxTokens: number): {thinking: boolean; maxTokens: number} {
  if (!p.reasoning || !('budgetTokens' in p.reasoning)) return {thinking: false, maxTokens};
  return {thinking: true, maxTokens: Math.max(maxTokens, p.reasoning.budgetTokens + 1024)};
}
