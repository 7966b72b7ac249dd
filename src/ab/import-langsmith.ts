import {answerText} from './chat-messages.ts';
import {importedRequest, num, spanMs, tagList} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * LangSmith: an LLM run as its export and API give it (`run_type: "llm"`): inputs.messages (OpenAI
 * style, or LangChain-serialised messages), outputs (choices, or generations), start/end times, the
 * first token's time, token counts and total_cost, tags and extra.metadata.
 */
export function importLangsmith(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const inputs = (value.inputs ?? {}) as Record<string, unknown>;
  const extra = (value.extra ?? {}) as {metadata?: Record<string, unknown>; invocation_params?: Record<string, unknown>};
  const model = extra.invocation_params?.model ?? extra.invocation_params?.model_name ?? extra.metadata?.ls_model_name ?? inputs.model;
  const latencyMs = spanMs(value.start_time, value.end_time);
  return importedRequest(
    {
      id: value.id,
      messages: inputs.messages ?? inputs.input,
      tags: tagList(value.tags),
      logged: {
        model: typeof model === 'string' ? model : null,
        output: answerText(value.outputs),
        latencyMs,
        ttftMs: value.first_token_time ? spanMs(value.start_time, value.first_token_time) : null,
        inputTokens: num(value.prompt_tokens),
        outputTokens: num(value.completion_tokens),
        costUsd: num(value.total_cost),
      },
    },
    line,
    index,
  );
}

export const isLangsmith = (v: Record<string, unknown>) => 'run_type' in v && 'inputs' in v;
