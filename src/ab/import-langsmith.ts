import {answerText} from './chat-messages.ts';
import {importedRequest, num, spanMs, tagList} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * LangSmith: an LLM run as its export and API give it (`run_type: "llm"`): inputs.messages (OpenAI
 * style, or LangChain-serialised messages), outputs (choices, or generations), start/end times, the
 * first token's time, token counts and total_cost, tags and extra.metadata (as metadata). Tool calls,
 * tool messages and image blocks in either form are kept, with extra.invocation_params' tools.
 */
export function importLangsmith(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const inputs = (value.inputs ?? {}) as Record<string, unknown>;
  const extra = (value.extra ?? {}) as {metadata?: Record<string, unknown>; invocation_params?: Record<string, unknown>};
  const model = extra.invocation_params?.model ?? extra.invocation_params?.model_name ?? extra.metadata?.ls_model_name ?? inputs.model;
  const latencyMs = spanMs(value.start_time, value.end_time);
  return importedRequest(
    {
      id: value.id,
      // The chat model's bound tools are in invocation_params; the OpenAI wrapper logs them in inputs beside the messages.
      request: {messages: inputs.messages ?? inputs.input, tools: extra.invocation_params?.tools ?? inputs.tools, toolChoice: extra.invocation_params?.tool_choice ?? inputs.tool_choice, responseFormat: extra.invocation_params?.response_format ?? inputs.response_format},
      metadata: [extra.metadata],
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
