import type {ChatMessage} from '../core/types.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import {KEEP_GENERATING} from '../sandbox/keep-generating.ts';
import {sampleLength, type LengthDist} from './length-dist.ts';

export interface WorkloadSpec {
  /** Prompt length in tokens (synthetic prompts only; suite cases keep their own). */
  inputTokens: LengthDist;
  /** Output length: sent as max_tokens, with an instruction to keep writing so the model uses all of it. */
  outputTokens: LengthDist;
  /** Let requests share a prefix (prompt caching may then serve them); by default each starts with a unique one. */
  allowCache: boolean;
  /** Suite cases to cycle through instead of synthetic prompts. */
  cases?: ChatMessage[][];
}

export interface LoadRequest {
  messages: ChatMessage[];
  maxTokens: number;
  inputTokensEstimate: number;
}

// Three-letter words: about one token each for any BPE tokenizer, and for the sandbox's estimate.
const WORDS = ['and', 'the', 'for', 'red', 'sky', 'sea', 'map', 'cat', 'dog', 'sun', 'run', 'box', 'cup', 'pen', 'oak', 'fig'];

/**
 * The i-th request of a step. Draws come from `random` in order, so a seed fixes the whole workload.
 * The unique prefix (`tag`) comes first because prompt caches match on prefixes.
 */
export function buildRequest(spec: WorkloadSpec, tag: string, i: number, random: () => number): LoadRequest {
  const maxTokens = sampleLength(spec.outputTokens, random);
  const prefix = spec.allowCache ? '' : `[${tag}] `;
  if (spec.cases && spec.cases.length > 0) {
    const base = spec.cases[i % spec.cases.length]!;
    const messages = base.map((m, j) => (j === 0 && prefix ? {...m, content: prefix + m.content} : m));
    return {messages, maxTokens, inputTokensEstimate: messages.reduce((n, m) => n + estimateTokens(m.content) + 3, 0)};
  }
  const target = sampleLength(spec.inputTokens, random);
  const head = `${prefix}${KEEP_GENERATING} Text:`;
  const fill = Math.max(0, target - estimateTokens(head));
  let body = '';
  for (let k = 0; k < fill; k++) body += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  const content = head + body;
  return {messages: [{role: 'user', content}], maxTokens, inputTokensEstimate: estimateTokens(content)};
}
