import {readFile} from 'node:fs/promises';
import {resolve} from 'node:path';
import type {LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import type {Pricing, PricingTier} from '../core/types.ts';

/** One model's entry in LiteLLM's model_prices_and_context_window.json: USD per single token. */
export type PriceEntry = Record<string, unknown>;

/** A price table keyed by model id, some ids prefixed with their provider ("gemini/gemini-2.5-pro"). */
export interface PriceTable {
  source: string;
  entries: Record<string, PriceEntry>;
}

/** Reads a table in LiteLLM's format from a file or an http(s) URL. */
export async function loadPriceTable(source: string, opts: {cwd?: string; fetchImpl?: typeof fetch} = {}): Promise<PriceTable> {
  let text: string;
  if (/^https?:\/\//i.test(source)) {
    let response: Response;
    try {
      response = await (opts.fetchImpl ?? fetch)(source, {signal: AbortSignal.timeout(30_000)});
    } catch (error) {
      throw new InputError(`cannot download the price table: ${(error as Error).message}`, {file: source, hint: 'check the URL and the network, or download the file and pass its path'});
    }
    if (!response.ok) throw new InputError(`cannot download the price table: HTTP ${response.status}`, {file: source, hint: 'check the URL, or download the file and pass its path'});
    text = await response.text();
  } else {
    try {
      text = await readFile(resolve(opts.cwd ?? process.cwd(), source), 'utf8');
    } catch (error) {
      throw new InputError(`cannot read the price table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {file: source, hint: 'pass a path to a model_prices_and_context_window.json file, or its URL'});
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the price table is not JSON: ${(error as Error).message}`, {file: source, hint: "expected LiteLLM's model_prices_and_context_window.json format: {\"model-id\": {\"input_cost_per_token\": ...}}"});
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('the price table must be a JSON object keyed by model id', {file: source, hint: "expected LiteLLM's model_prices_and_context_window.json format"});
  }
  const entries: Record<string, PriceEntry> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    // sample_spec documents the format and is not a model.
    if (key === 'sample_spec' || !entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
    entries[key] = entry as PriceEntry;
  }
  return {source, entries};
}

/**
 * The ids a configured model may have in the table, most specific first. LiteLLM keys OpenAI and
 * Anthropic models by their bare id, Gemini API models as "gemini/<id>" (bare ids are Vertex AI's), Azure as "azure/<id>",
 * Bedrock models by their model id (region prefixes like "us." included), gateways with their prefix.
 */
export function tableKeysFor(model: Pick<LoadedModel, 'model'> & {provider: {type: string; wire?: string; baseURL?: string; vertex?: unknown}}): string[] {
  const id = model.model.replace(/^models\//, '');
  const type = model.provider.type === 'sandbox' ? (model.provider.wire ?? 'openai') : model.provider.type;
  const keys: string[] = [];
  if (type === 'gemini' && model.provider.vertex) keys.push(id, `vertex_ai/${id}`, `gemini/${id}`);
  else if (type === 'gemini') keys.push(`gemini/${id}`, id);
  else if (type === 'azure-openai') keys.push(`azure/${id}`, id);
  else if (type === 'bedrock') keys.push(id, `bedrock/${id}`, `bedrock_converse/${id}`, id.replace(/^(us|eu|apac|global)\./, ''));
  else if (type === 'openai' || type === 'anthropic') keys.push(id, `${type}/${id}`);
  else {
    if (model.provider.baseURL && /openrouter\.ai/i.test(model.provider.baseURL)) keys.push(`openrouter/${id}`);
    keys.push(id, `${type}/${id}`);
  }
  return [...new Set(keys)];
}

export function findPrice(table: PriceTable, model: Parameters<typeof tableKeysFor>[0]): {key: string; entry: PriceEntry} | null {
  for (const key of tableKeysFor(model)) {
    const entry = table.entries[key];
    if (entry) return {key, entry};
  }
  return null;
}

/** USD per token → USD per million tokens, without binary noise (3e-6 → 3, not 2.9999999999999996). */
function perMTok(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Number((value * 1e6).toPrecision(12)) : undefined;
}

/** A table entry as assay pricing: per-token costs become per-million prices; `_above_<N>k_tokens` fields become tiers. */
export function pricingFromEntry(entry: PriceEntry): Pricing | null {
  const inputPerMTok = perMTok(entry.input_cost_per_token);
  const outputPerMTok = perMTok(entry.output_cost_per_token);
  if (inputPerMTok === undefined || outputPerMTok === undefined) return null;
  const optional = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const pricing: Pricing = {
    inputPerMTok,
    outputPerMTok,
    ...optional({
      cacheReadPerMTok: perMTok(entry.cache_read_input_token_cost),
      cacheWritePerMTok: perMTok(entry.cache_creation_input_token_cost),
      cacheWrite1hPerMTok: perMTok(entry.cache_creation_input_token_cost_above_1hr),
      reasoningPerMTok: perMTok(entry.output_cost_per_reasoning_token),
      batchInputPerMTok: perMTok(entry.input_cost_per_token_batches),
      batchOutputPerMTok: perMTok(entry.output_cost_per_token_batches),
    }),
  };
  const tiers: PricingTier[] = [];
  for (const key of Object.keys(entry)) {
    const m = /^input_cost_per_token_above_(\d+)k_tokens$/.exec(key);
    if (!m) continue;
    const suffix = `above_${m[1]}k_tokens`;
    const tierInput = perMTok(entry[key]);
    if (tierInput === undefined) continue;
    tiers.push({
      aboveInputTokens: Number(m[1]) * 1000,
      inputPerMTok: tierInput,
      outputPerMTok: perMTok(entry[`output_cost_per_token_${suffix}`]) ?? outputPerMTok,
      ...(optional({
        cacheReadPerMTok: perMTok(entry[`cache_read_input_token_cost_${suffix}`]),
        cacheWritePerMTok: perMTok(entry[`cache_creation_input_token_cost_${suffix}`]),
        cacheWrite1hPerMTok: perMTok(entry[`cache_creation_input_token_cost_above_1hr_${suffix}`]),
      }) as Partial<PricingTier>),
    });
  }
  if (tiers.length > 0) pricing.tiers = tiers.sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  return pricing;
}
