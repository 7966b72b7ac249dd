import type {ChatMessage, ModelParams, ToolCall} from '../core/types.ts';
import {anthropicBlocks, converseBlocks, geminiMediaParts, openaiParts} from './content-format.ts';

// Messages (text, images and files, tool calls and results), tools and tool choice in each API's
// native shape, and the calls read back from each API's answer. Tool arguments travel as JSON text on
// OpenAI, as objects elsewhere.

/** A call's arguments as the model sent them: the parsed object, or the raw text when it is not a JSON object. */
export function parseArguments(raw: unknown): ToolCall['arguments'] {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== 'string') return raw === undefined || raw === null ? {} : String(raw);
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : raw;
  } catch {
    return raw;
  }
}

function argumentsText(args: ToolCall['arguments']): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function argumentsObject(args: ToolCall['arguments']): Record<string, unknown> {
  return typeof args === 'string' ? {} : args;
}

// --- OpenAI chat completions: tools[].function, tool_choice, assistant tool_calls, role "tool" results.

export function openaiTools(p: ModelParams): Record<string, unknown> {
  const choice = p.toolChoice;
  return {
    ...(p.tools && {tools: p.tools.map((t) => ({type: 'function', function: {name: t.name, ...(t.description && {description: t.description}), parameters: t.parameters}}))}),
    ...(choice !== undefined && {tool_choice: typeof choice === 'string' ? choice : {type: 'function', function: {name: choice.name}}}),
  };
}

export function openaiMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  return messages.map((m) => {
    if (m.role === 'tool') return {role: 'tool', tool_call_id: m.toolCallId, content: m.content};
    if (m.toolCalls?.length) {
      return {role: 'assistant', content: m.content || null, tool_calls: m.toolCalls.map((c) => ({id: c.id, type: 'function', function: {name: c.name, arguments: argumentsText(c.arguments)}}))};
    }
    return {role: m.role, content: m.parts ? openaiParts(m.parts) : m.content};
  });
}

/** Calls in a chat.completion message. */
export function openaiToolCalls(message: {tool_calls?: Array<{type?: string; function?: {name?: string; arguments?: string}}> | null} | undefined): ToolCall[] {
  return (message?.tool_calls ?? []).filter((c) => c.function).map((c) => ({name: c.function!.name ?? '', arguments: parseArguments(c.function!.arguments)}));
}

/**
 * Assembles streamed tool calls: the first delta of a call has its index, id and name; its arguments
 * come in fragments by index. Some compatible servers leave the index out (a new id starts a new
 * call) or repeat the whole name in every delta (kept once).
 */
export class OpenAIToolCallDeltas {
  private readonly calls = new Map<number, {id: string | undefined; name: string; arguments: string}>();
  private last = -1;

  add(deltas: Array<{index?: number; id?: string; function?: {name?: string; arguments?: string}}> | undefined): boolean {
    if (!deltas?.length) return false;
    for (const d of deltas) {
      const index = d.index ?? (d.id !== undefined && this.calls.get(this.last)?.id !== d.id ? this.calls.size : Math.max(this.last, 0));
      this.last = index;
      let call = this.calls.get(index);
      if (!call) this.calls.set(index, (call = {id: d.id, name: '', arguments: ''}));
      const name = d.function?.name;
      if (name && name !== call.name) call.name += name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
    return true;
  }

  done(): ToolCall[] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({name: c.name, arguments: parseArguments(c.arguments)}));
  }
}

// --- Anthropic messages: tools[].input_schema, tool_choice, tool_use blocks, tool_result blocks in a user turn.

const ANTHROPIC_CHOICE = {auto: {type: 'auto'}, none: {type: 'none'}, required: {type: 'any'}} as const;

export function anthropicTools(p: ModelParams): Record<string, unknown> {
  const choice = p.toolChoice;
  return {
    ...(p.tools && {tools: p.tools.map((t) => ({name: t.name, ...(t.description && {description: t.description}), input_schema: t.parameters}))}),
    ...(choice !== undefined && {tool_choice: typeof choice === 'string' ? ANTHROPIC_CHOICE[choice] : {type: 'tool', name: choice.name}}),
  };
}

type AnthropicBlock = Record<string, unknown> & {type: string};

/** Non-system messages; consecutive tool results go into one user turn, as the API wants them. */
export function anthropicMessages(messages: readonly ChatMessage[]): Array<{role: 'user' | 'assistant'; content: string | AnthropicBlock[]}> {
  const out: Array<{role: 'user' | 'assistant'; content: string | AnthropicBlock[]}> = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      const block: AnthropicBlock = {type: 'tool_result', tool_use_id: m.toolCallId, content: m.content};
      const last = out.at(-1);
      if (last?.role === 'user' && Array.isArray(last.content) && last.content.every((b) => b.type === 'tool_result')) last.content.push(block);
      else out.push({role: 'user', content: [block]});
      continue;
    }
    if (m.toolCalls?.length) {
      const text: AnthropicBlock[] = m.content ? [{type: 'text', text: m.content}] : [];
      out.push({role: 'assistant', content: [...text, ...m.toolCalls.map((c) => ({type: 'tool_use', id: c.id, name: c.name, input: argumentsObject(c.arguments)}))]});
      continue;
    }
    out.push({role: m.role, content: m.parts ? anthropicBlocks(m.parts) : m.content});
  }
  return out;
}

/** Calls in a message's content blocks. */
export function anthropicToolCalls(content: ReadonlyArray<{type: string; name?: string; input?: unknown}>): ToolCall[] {
  return content.filter((b) => b.type === 'tool_use').map((b) => ({name: b.name ?? '', arguments: parseArguments(b.input)}));
}

/** Assembles streamed tool_use blocks: content_block_start names the tool, input_json_delta events carry its input in fragments. */
export class AnthropicToolUseDeltas {
  private readonly blocks = new Map<number, {name: string; json: string; input: unknown}>();

  start(index: number, block: {type: string; name?: string; input?: unknown}): void {
    if (block.type === 'tool_use') this.blocks.set(index, {name: block.name ?? '', json: '', input: block.input});
  }

  delta(index: number, partialJson: string): void {
    const block = this.blocks.get(index);
    if (block) block.json += partialJson;
  }

  done(): ToolCall[] {
    // A block with no input deltas keeps the input content_block_start gave it ({} for no arguments).
    return [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => ({name: b.name, arguments: parseArguments(b.json === '' ? b.input : b.json)}));
  }
}

// --- Gemini: functionDeclarations with parametersJsonSchema, toolConfig, functionCall and functionResponse parts.

const GEMINI_MODE = {auto: 'AUTO', none: 'NONE', required: 'ANY'} as const;

export function geminiTools(p: ModelParams): Record<string, unknown> {
  const choice = p.toolChoice;
  return {
    ...(p.tools && {tools: [{functionDeclarations: p.tools.map((t) => ({name: t.name, ...(t.description && {description: t.description}), parametersJsonSchema: t.parameters}))}]}),
    ...(choice !== undefined && {
      toolConfig: {functionCallingConfig: typeof choice === 'string' ? {mode: GEMINI_MODE[choice]} : {mode: 'ANY', allowedFunctionNames: [choice.name]}},
    }),
  };
}

type GeminiPart = Record<string, unknown>;

/**
 * Non-system messages as contents. Gemini pairs a functionResponse with its call by name and order
 * (ids are left out: not every Gemini endpoint takes them); consecutive results share one user turn.
 */
export function geminiContents(messages: readonly ChatMessage[]): Array<{role: 'user' | 'model'; parts: GeminiPart[]}> {
  const out: Array<{role: 'user' | 'model'; parts: GeminiPart[]; results?: boolean}> = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      const part = {functionResponse: {name: m.toolName, response: responseObject(m.content)}};
      const last = out.at(-1);
      if (last?.results) last.parts.push(part);
      else out.push({role: 'user', parts: [part], results: true});
      continue;
    }
    if (m.toolCalls?.length) {
      out.push({role: 'model', parts: [...(m.content ? [{text: m.content}] : []), ...m.toolCalls.map((c) => ({functionCall: {name: c.name, args: argumentsObject(c.arguments)}}))]});
      continue;
    }
    out.push({role: m.role === 'assistant' ? 'model' : 'user', parts: m.parts ? geminiMediaParts(m.parts) : [{text: m.content}]});
  }
  return out.map(({role, parts}) => ({role, parts}));
}

/** functionResponse.response must be an object: a JSON object result as is, anything else under "result". */
function responseObject(content: string): Record<string, unknown> {
  const parsed = parseArguments(content);
  return typeof parsed === 'string' ? {result: content} : parsed;
}

/** Text (thoughts left out) and calls of a candidate's parts. */
export function geminiParts(parts: ReadonlyArray<{text?: string; thought?: boolean; functionCall?: {name?: string; args?: unknown}}> | undefined): {text: string; toolCalls: ToolCall[]} {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const p of parts ?? []) {
    if (p.functionCall) toolCalls.push({name: p.functionCall.name ?? '', arguments: parseArguments(p.functionCall.args)});
    else if (typeof p.text === 'string' && !p.thought) text += p.text;
  }
  return {text, toolCalls};
}

// --- Bedrock Converse: toolConfig with toolSpec.inputSchema.json, toolUse blocks, toolResult blocks in a user turn.

/**
 * toolConfig: the tools, and toolChoice `{auto: {}}`, `{any: {}}` or `{tool: {name}}`. Converse has no
 * "none": the tools are sent without a choice (the model decides), and the caller warns.
 */
export function converseToolConfig(p: ModelParams): Record<string, unknown> {
  const choice = p.toolChoice;
  if (!p.tools) return {};
  const toolChoice = choice === undefined || choice === 'none' ? undefined : choice === 'auto' ? {auto: {}} : choice === 'required' ? {any: {}} : {tool: {name: choice.name}};
  return {
    toolConfig: {
      tools: p.tools.map((t) => ({toolSpec: {name: t.name, ...(t.description && {description: t.description}), inputSchema: {json: t.parameters}}})),
      ...(toolChoice && {toolChoice}),
    },
  };
}

type ConverseBlock = Record<string, unknown>;

/** Non-system messages as Converse messages; consecutive tool results share one user turn, as Anthropic's do. */
export function converseMessages(messages: readonly ChatMessage[]): Array<{role: 'user' | 'assistant'; content: ConverseBlock[]}> {
  const out: Array<{role: 'user' | 'assistant'; content: ConverseBlock[]; results?: boolean}> = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      // A JSON object result goes as `json`, anything else as text.
      const parsed = parseArguments(m.content);
      const block = {toolResult: {toolUseId: m.toolCallId, content: [typeof parsed === 'string' || m.content.trim() === '' ? {text: m.content} : {json: parsed}]}};
      const last = out.at(-1);
      if (last?.results) last.content.push(block);
      else out.push({role: 'user', content: [block], results: true});
      continue;
    }
    if (m.toolCalls?.length) {
      out.push({role: 'assistant', content: [...(m.content ? [{text: m.content}] : []), ...m.toolCalls.map((c) => ({toolUse: {toolUseId: c.id, name: c.name, input: argumentsObject(c.arguments)}}))]});
      continue;
    }
    out.push({role: m.role, content: m.parts ? converseBlocks(m.parts) : [{text: m.content}]});
  }
  return out.map(({role, content}) => ({role, content}));
}

/** Text and calls of a Converse reply's output.message.content. */
export function converseContent(content: ReadonlyArray<{text?: string; toolUse?: {name?: string; input?: unknown}}>): {text: string; toolCalls: ToolCall[]} {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (block.toolUse) toolCalls.push({name: block.toolUse.name ?? '', arguments: parseArguments(block.toolUse.input)});
    else if (typeof block.text === 'string') text += block.text;
  }
  return {text, toolCalls};
}

/** The calls a completion records: present when the request offered tools or the answer called one. */
export function recordedCalls(p: ModelParams, calls: ToolCall[]): {toolCalls?: ToolCall[]} {
  return p.tools || calls.length > 0 ? {toolCalls: calls} : {};
}
