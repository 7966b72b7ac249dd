import {answerText} from './chat-messages.ts';
import {importedRequest, num, spanMs, tagList} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

interface Observation {
  id?: string;
  type?: string;
  input?: unknown;
  output?: unknown;
  model?: string;
  startTime?: string;
  endTime?: string;
  completionStartTime?: string;
  usage?: {input?: number; output?: number};
  usageDetails?: {input?: number; output?: number};
  promptTokens?: number;
  completionTokens?: number;
  costDetails?: {total?: number};
  calculatedTotalCost?: number;
  totalCost?: number;
  metadata?: Record<string, unknown> & {tags?: unknown};
  modelParameters?: Record<string, unknown>;
  environment?: string;
}

function generation(o: Observation, trace: Record<string, unknown>, tags: string[], line: number | undefined, index: number): Parsed {
  // Langfuse keeps what the SDK logged as input: the message list itself, or {messages, tools, ...}
  // (its OpenAI integration, when tools were sent); the rest of the call is in modelParameters.
  const wrapped = o.input && typeof o.input === 'object' && !Array.isArray(o.input) && 'messages' in o.input ? (o.input as Record<string, unknown>) : null;
  const params = o.modelParameters ?? {};
  const input = wrapped ? wrapped.messages : o.input;
  const latencyMs = spanMs(o.startTime, o.endTime);
  return importedRequest(
    {
      id: o.id,
      request: {messages: input, system: wrapped?.system, tools: wrapped?.tools ?? params.tools, toolChoice: wrapped?.tool_choice ?? params.tool_choice, responseFormat: wrapped?.response_format ?? params.response_format},
      metadata: [{environment: trace.environment ?? o.environment}, trace.metadata, o.metadata],
      tags,
      logged: {
        model: o.model ?? null,
        output: answerText(o.output),
        latencyMs,
        ttftMs: o.completionStartTime ? spanMs(o.startTime, o.completionStartTime) : null,
        inputTokens: num(o.usageDetails?.input ?? o.usage?.input ?? o.promptTokens),
        outputTokens: num(o.usageDetails?.output ?? o.usage?.output ?? o.completionTokens),
        costUsd: num(o.costDetails?.total ?? o.calculatedTotalCost ?? o.totalCost),
      },
    },
    line,
    index,
  );
}

/**
 * Langfuse: an observation of type GENERATION (the observations export or API), or a trace with its
 * observations, whose tags apply to each generation in it. One line may hold several generations.
 */
export function importLangfuse(value: Record<string, unknown>, line: number | undefined, index: number): Parsed[] {
  if (Array.isArray(value.observations)) {
    const tags = tagList(value.tags);
    return (value.observations as Observation[]).filter((o) => o.type === 'GENERATION').map((o) => generation(o, value, [...tags, ...tagList(o.metadata?.tags)], line, index));
  }
  return [generation(value as Observation, {}, tagList((value as Observation).metadata?.tags), line, index)];
}

export const isLangfuse = (v: Record<string, unknown>) => v.type === 'GENERATION' || ('traceId' in v && 'input' in v) || (Array.isArray(v.observations) && 'id' in v);
