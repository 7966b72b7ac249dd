import type {ChatMessage, ToolChoice} from '../core/types.ts';
import {argumentsObject, asRecord, BadRequest, mediaText, sse, toolDef, type SimMedia, type SimReply, type WireFormat} from './wire-format.ts';

// Gemini reports a function call with finishReason STOP.
const FINISH = {stop: 'STOP', length: 'MAX_TOKENS', tool: 'STOP'} as const;
const MODES = {AUTO: 'auto', NONE: 'none', ANY: 'required'} as const;

/**
 * One content as the sandbox reads it: text, a model turn's functionCall parts, or a user turn's
 * functionResponse parts (as many as the model turn before made calls, with the same names, as the API checks).
 */
function messagesOf(c: Record<string, unknown>, i: number, previousCalls: string[], media: SimMedia[]): ChatMessage[] {
  const where = `contents[${i}]`;
  if (!Array.isArray(c.parts)) throw new BadRequest(`${where}.parts must be a list`);
  const parts = c.parts.map((p, j) => asRecord(p, `${where}.parts[${j}]`));
  const role = c.role === 'model' ? 'assistant' : 'user';
  const calls = parts.filter((p) => p.functionCall !== undefined);
  const responses = parts.filter((p) => p.functionResponse !== undefined);
  const text = parts
    .filter((p) => p.functionCall === undefined && p.functionResponse === undefined)
    .map((p, j) => {
      // An image or a PDF: inline bytes, or a file URI the API fetches.
      const inline = p.inlineData as {mimeType?: unknown; data?: unknown} | undefined;
      const file = p.fileData as {mimeType?: unknown; fileUri?: unknown} | undefined;
      if (inline || file) {
        const mimeType = (inline ?? file)!.mimeType;
        const kind = mimeType === 'application/pdf' ? 'file' : 'image';
        return mediaText(kind, mimeType, inline ? {data: inline.data} : {url: file!.fileUri}, `${where}.parts[${j}]`, media);
      }
      if (typeof p.text !== 'string') throw new BadRequest(`${where}.parts[${j}]: only text, inlineData, fileData, functionCall and functionResponse parts are supported by the sandbox`);
      return p.text;
    })
    .join('');
  if (calls.length > 0) {
    if (role !== 'assistant') throw new BadRequest(`${where}: functionCall parts belong to a model turn`);
    const toolCalls = calls.map((p, j) => {
      const fc = asRecord(p.functionCall, `${where}.parts[${j}].functionCall`);
      if (typeof fc.name !== 'string') throw new BadRequest(`${where}.parts[${j}].functionCall.name is required`);
      return {id: typeof fc.id === 'string' ? fc.id : `call_${i}_${j}`, name: fc.name, arguments: argumentsObject(fc.args, `${where}.parts[${j}].functionCall.args`)};
    });
    return [{role, content: text, toolCalls}];
  }
  if (responses.length > 0) {
    const names = responses.map((p, j) => {
      const fr = asRecord(p.functionResponse, `${where}.parts[${j}].functionResponse`);
      asRecord(fr.response, `${where}.parts[${j}].functionResponse.response`);
      return {name: String(fr.name), content: JSON.stringify(fr.response)};
    });
    if (names.length !== previousCalls.length || names.some((n, k) => n.name !== previousCalls[k])) {
      throw new BadRequest('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
    return [...names.map((n): ChatMessage => ({role: 'tool', content: n.content, toolName: n.name})), ...(text ? [{role, content: text} as const] : [])];
  }
  return [{role, content: text}];
}
const STATUS: Record<number, string> = {400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE'};

function partsText(content: unknown, where: string): string {
  const c = asRecord(content, where);
  if (!Array.isArray(c.parts)) throw new BadRequest(`${where}.parts must be a list`);
  return c.parts.map((p, i) => {
    const part = asRecord(p, `${where}.parts[${i}]`);
    if (typeof part.text !== 'string') throw new BadRequest(`${where}.parts[${i}]: only text parts are supported by the sandbox`);
    return part.text;
  }).join('');
}

/** usageMetadata: cached content inside promptTokenCount, thoughts outside candidatesTokenCount; zero counts left out, as the API does. */
function usage(r: SimReply) {
  const prompt = r.inputTokens + r.cacheWriteTokens + r.cacheReadTokens;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: r.outputTokens,
    totalTokenCount: prompt + r.outputTokens + r.reasoningTokens,
    ...(r.cacheReadTokens > 0 && {cachedContentTokenCount: r.cacheReadTokens}),
    ...(r.reasoningTokens > 0 && {thoughtsTokenCount: r.reasoningTokens}),
  };
}

function callParts(r: SimReply) {
  return r.toolCalls.map((c) => ({functionCall: {name: c.name, args: c.arguments}}));
}

export const geminiWire: WireFormat = {
  name: 'gemini',
  parse(raw, modelFromUrl, streamFromUrl) {
    const body = asRecord(raw, 'request body');
    if (!modelFromUrl) throw new BadRequest('the model is named in the URL: models/{model}:generateContent');
    if (!Array.isArray(body.contents) || body.contents.length === 0) throw new BadRequest('contents is not specified');
    let previousCalls: string[] = [];
    const media: SimMedia[] = [];
    const messages = body.contents.flatMap((c, i) => {
      const content = asRecord(c, `contents[${i}]`);
      const role = content.role ?? 'user';
      if (role !== 'user' && role !== 'model') throw new BadRequest(`contents[${i}].role must be user or model`);
      const read = messagesOf(content, i, previousCalls, media);
      previousCalls = read.flatMap((m) => m.toolCalls ?? []).map((t) => t.name);
      return read;
    });
    if (body.tools !== undefined && !Array.isArray(body.tools)) throw new BadRequest('tools must be a list');
    const tools = ((body.tools as unknown[] | undefined) ?? []).flatMap((t, i) => {
      const declarations = asRecord(t, `tools[${i}]`).functionDeclarations;
      if (!Array.isArray(declarations)) return [];
      return declarations.map((d, j) => {
        const decl = asRecord(d, `tools[${i}].functionDeclarations[${j}]`);
        if (decl.parameters !== undefined && decl.parametersJsonSchema !== undefined) throw new BadRequest(`tools[${i}].functionDeclarations[${j}]: give parameters or parametersJsonSchema, not both`);
        return toolDef(decl.name, decl.description, decl.parametersJsonSchema ?? decl.parameters, `tools[${i}].functionDeclarations[${j}]`);
      });
    });
    let toolChoice: ToolChoice | undefined;
    const calling = (body.toolConfig as {functionCallingConfig?: {mode?: unknown; allowedFunctionNames?: unknown}} | undefined)?.functionCallingConfig;
    if (calling?.mode !== undefined) {
      const mode = calling.mode as keyof typeof MODES;
      if (!(mode in MODES)) throw new BadRequest(`toolConfig.functionCallingConfig.mode ${JSON.stringify(calling.mode)} is not one of AUTO, ANY, NONE`);
      const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames : [];
      toolChoice = mode === 'ANY' && allowed.length === 1 ? {name: String(allowed[0])} : MODES[mode];
    }
    const system = body.systemInstruction ?? body.system_instruction;
    const config = (body.generationConfig ?? {}) as Record<string, unknown>;
    return {
      model: modelFromUrl,
      messages: system ? [{role: 'system' as const, content: partsText(system, 'systemInstruction')}, ...messages] : messages,
      params: {
        temperature: config.temperature as number | undefined,
        maxTokens: config.maxOutputTokens as number | undefined,
        topP: config.topP as number | undefined,
        topK: config.topK as number | undefined,
        stop: config.stopSequences as string[] | undefined,
      },
      stream: streamFromUrl,
      includeUsage: true,
      media,
      responseFormat: config.responseMimeType === 'application/json' ? ((config.responseJsonSchema ?? config.responseSchema) as Record<string, unknown> | undefined) ?? 'json' : undefined,
      tools,
      ...(toolChoice !== undefined && {toolChoice}),
    };
  },
  reply(r) {
    return {
      candidates: [{content: {role: 'model', parts: [...(r.text !== '' || r.toolCalls.length === 0 ? [{text: r.text}] : []), ...callParts(r)]}, finishReason: FINISH[r.finish], index: 0}],
      usageMetadata: usage(r),
      modelVersion: r.model,
      responseId: r.id,
    };
  },
  streamHead: () => [],
  streamPiece(r, text) {
    return sse({candidates: [{content: {role: 'model', parts: [{text}]}, index: 0}], usageMetadata: {promptTokenCount: r.inputTokens + r.cacheWriteTokens + r.cacheReadTokens, totalTokenCount: r.inputTokens + r.cacheWriteTokens + r.cacheReadTokens}, modelVersion: r.model, responseId: r.id});
  },
  streamTail(r) {
    // Calls come whole, in the last chunk.
    return [sse({candidates: [{content: {role: 'model', parts: r.toolCalls.length > 0 ? callParts(r) : [{text: ''}]}, finishReason: FINISH[r.finish], index: 0}], usageMetadata: usage(r), modelVersion: r.model, responseId: r.id})];
  },
  error(status, message) {
    return {error: {code: status, message, status: STATUS[status] ?? 'UNKNOWN'}};
  },
  models(ids) {
    return {models: ids.map((id) => ({name: `models/${id}`, displayName: id, supportedGenerationMethods: ['generateContent', 'streamGenerateContent']}))};
  },
};
