import type OpenAI from 'openai';
import {classifyError} from './classify-error.ts';
import {classifyContext, type ClientOptions} from './client-options.ts';

/** The model ids an OpenAI-wire endpoint lists (every page of GET /models), failures classified as a request's are: one for the Chat Completions and the Responses clients. */
export async function listOpenAIModels(client: OpenAI, opts: ClientOptions): Promise<string[]> {
  const ctx = classifyContext(opts, '(list models)', opts.timeoutMs);
  try {
    const ids: string[] = [];
    for await (const m of client.models.list({timeout: opts.timeoutMs})) ids.push(m.id);
    return ids;
  } catch (error) {
    throw classifyError(error, ctx);
  }
}
