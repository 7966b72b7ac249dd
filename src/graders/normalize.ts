export type Normalization = 'none' | 'trim' | 'squad';

/** SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalize(text: string, how: Normalization): string {
  if (how === 'none') return text;
  if (how === 'trim') return text.trim();
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
