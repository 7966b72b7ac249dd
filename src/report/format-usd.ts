/**
 * Money for people: cents for dollars and up, four decimals down to a cent, and below that two
 * significant digits without exponent or float noise ($0.0000041, never 4.0000000000000003e-7).
 */
export function formatUsd(v: number | null, unknown = 'unknown'): string {
  if (v === null || !Number.isFinite(v)) return unknown;
  if (v === 0) return '$0';
  const sign = v < 0 ? '−' : '';
  const a = Math.abs(v);
  if (a >= 1) return `${sign}$${a.toFixed(2)}`;
  if (a >= 0.01) return `${sign}$${a.toFixed(4)}`;
  const decimals = Math.min(12, 1 - Math.floor(Math.log10(a)));
  return `${sign}$${a.toFixed(decimals)}`;
}

/** A number written to a file people read: at most 12 significant digits, so 0.1 + 0.2 is 0.3. */
export function cleanNumber(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}
