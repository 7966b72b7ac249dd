import {InputError} from '../core/errors.ts';

/** A numeric flag given as text (oclif has no float flag): absent stays undefined, junk is exit 2 naming the flag. */
export function parseNumberFlag(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new InputError(`not a number: "${raw}"`, {field: flag});
  return value;
}
