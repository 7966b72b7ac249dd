import {resolve} from 'node:path';
import {loadOutcomes} from './load-outcomes.ts';
import {loadPolicy} from './load-policy.ts';
import {type SimulationReport, simulatePolicy} from './simulate-policy.ts';

/** `assay simulate`: read the policy file and the sources, replay. */
export function simulateFromSources(opts: {policy: string; from: string[]; cwd?: string}): SimulationReport {
  const policy = loadPolicy(resolve(opts.cwd ?? process.cwd(), opts.policy));
  return simulatePolicy(policy, loadOutcomes(opts.from, {cwd: opts.cwd}));
}
