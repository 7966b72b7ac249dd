import {InputError} from '../core/errors.ts';

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** "500ms", "30s", "5m", "1h" or a plain number of seconds, as milliseconds. */
export function parseDurationMs(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InputError(`${flag} ${JSON.stringify(text)} is not a duration`, {hint: 'write it like 30s, 5m, 1h or 500ms'});
  return Number(m[1]) * UNITS[m[2] ?? 's']!;
}
