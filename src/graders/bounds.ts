import type {Grade} from '../core/types.ts';
import type {Grader} from './grader.ts';

/** Output length within [min, max] characters or words. */
export function lengthBounds(opts: {min?: number; max?: number; unit: 'chars' | 'words'; name?: string}): Grader {
  const name = opts.name ?? 'length';
  return {
    name,
    grade(input): Grade {
      const n = opts.unit === 'words' ? input.output.trim().split(/\s+/).filter(Boolean).length : input.output.length;
      const pass = (opts.min === undefined || n >= opts.min) && (opts.max === undefined || n <= opts.max);
      const range = `${opts.min ?? 0}..${opts.max ?? '∞'} ${opts.unit}`;
      return {grader: name, score: pass ? 1 : 0, pass, reason: `${n} ${opts.unit} (${pass ? 'within' : 'outside'} ${range})`};
    },
  };
}

/** The request's own latency or cost under a bound, per case. */
export function measureBound(what: 'latency' | 'cost', max: number, name?: string): Grader {
  const label = name ?? what;
  return {
    name: label,
    grade(input): Grade {
      const value = what === 'latency' ? input.latencyMs : input.costUsd;
      if (value === null) return {grader: label, score: null, pass: null, unscored: true, reason: `${what} unknown${what === 'cost' ? ' (the model has no pricing)' : ''}`};
      const pass = value <= max;
      const shown = what === 'latency' ? `${value.toFixed(0)} ms (max ${max} ms)` : `$${value.toFixed(6)} (max $${max})`;
      return {grader: label, score: pass ? 1 : 0, pass, reason: `${what} ${shown}`};
    },
  };
}
