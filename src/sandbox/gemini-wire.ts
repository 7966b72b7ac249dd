import {asRecord, BadRequest, sse, type SimReply, type WireFormat} from './wire-format.ts';

const FINISH = {stop: 'STOP', length: 'MAX_TOKENS'} as const;
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

export const geminiWire: WireFormat = {
  name: 'gemini',
  parse(raw, modelFromUrl, streamFromUrl) {
    const body = asRecord(raw, 'request body');
    if (!modelFromUrl) throw new BadRequest('the model is named in the URL: models/{model}:generateContent');
    if (!Array.isArray(body.contents) || body.contents.length === 0) throw new BadRequest('contents is not specified');
    const messages = body.contents.map((c, i) => {
      const role = (c as {role?: unknown}).role ?? 'user';
      if (role !== 'user' && role !== 'model') throw new BadRequest(`contents[${i}].role must be user or model`);
      return {role: role === 'model' ? ('assistant' as const) : ('user' as const), content: partsText(c, `contents[${i}]`)};
    });
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
    };
  },
  reply(r) {
    return {
      candidates: [{content: {role: 'model', parts: [{text: r.text}]}, finishReason: FINISH[r.finish], index: 0}],
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
    return [sse({candidates: [{content: {role: 'model', parts: [{text: ''}]}, finishReason: FINISH[r.finish], index: 0}], usageMetadata: usage(r), modelVersion: r.model, responseId: r.id})];
  },
  error(status, message) {
    return {error: {code: status, message, status: STATUS[status] ?? 'UNKNOWN'}};
  },
  models(ids) {
    return {models: ids.map((id) => ({name: `models/${id}`, displayName: id, supportedGenerationMethods: ['generateContent', 'streamGenerateContent']}))};
  },
};
