/**
 * Secret values met at run time (tokens from token sources, client secrets), so redaction can hide them
 * wherever a provider echoes one back. In memory only, never written anywhere; bounded so a long run
 * that refreshes tokens for hours does not grow it without end.
 */
const MAX_REMEMBERED = 256;
const values = new Set<string>();

export function rememberSecret(value: string | undefined): void {
  if (!value || value.length < 8) return;
  values.delete(value);
  values.add(value);
  if (values.size > MAX_REMEMBERED) values.delete(values.values().next().value!);
}

export function rememberedSecrets(): Iterable<string> {
  return values;
}
