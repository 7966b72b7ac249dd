import {InputError} from '../core/errors.ts';
import type {Slo} from './load-types.ts';

const KEYS: Record<string, keyof Slo> = {ttft: 'ttftMs', itl: 'itlMs', tpot: 'itlMs', e2e: 'e2eMs'};

/** Parses `ttft=500ms,itl=50ms,e2e=5s` (units ms or s; a bare number is ms). */
export function parseSlo(text: string): Slo {
  const slo: Slo = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+)\s*[=:]\s*(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(part);
    const key = m ? KEYS[m[1]!.toLowerCase()] : undefined;
    if (!m || !key) {
      throw new InputError(`--slo: cannot read ${JSON.stringify(part)}`, {hint: 'write metric=value pairs with metric ttft, itl (or tpot) or e2e, e.g. --slo ttft=500ms,itl=50ms,e2e=10s'});
    }
    const value = Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
    if (!(value > 0)) throw new InputError(`--slo: ${m[1]} must be above 0`, {hint: 'e.g. --slo ttft=500ms'});
    slo[key] = value;
  }
  return slo;
}

export function describeSlo(slo: Slo): string {
  const parts = [slo.ttftMs !== undefined && `ttft ≤ ${slo.ttftMs} ms`, slo.itlMs !== undefined && `itl ≤ ${slo.itlMs} ms`, slo.e2eMs !== undefined && `e2e ≤ ${slo.e2eMs} ms`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none (goodput = successful requests/s)';
}
