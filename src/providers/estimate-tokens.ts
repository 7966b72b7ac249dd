/**
 * A tokenizer-free estimate for when a provider reports no usage: about 4 characters per token for
 * English text, never less than one token per word. Results carry `tokensEstimated: true`.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(words, Math.ceil(text.length / 4));
}
