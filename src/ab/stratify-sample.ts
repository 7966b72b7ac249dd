import {InputError} from '../core/errors.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import type {TrafficRequest} from './traffic-request.ts';

/** How n is split over the strata: in proportion to their traffic (self-weighting), or the same for each (rare strata get enough to say something about; weights undo the over-sampling). */
export const ALLOCATIONS = ['proportional', 'equal'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

export interface StratifyOptions {
  /** Requests to keep (default all). */
  n?: number;
  seed: number;
  /** What a stratum is: `tag` (a request's first tag, the default) or a KEY: the request's metadata KEY, or its `KEY:value` (or `KEY=value`) tag. */
  stratify?: string;
  allocation?: Allocation;
}

export interface SampleStratum {
  stratum: string;
  /** Requests of this stratum in the traffic sampled from. */
  population: number;
  sampled: number;
  /** What one sampled request stands for: population / sampled. */
  weightPerRequest: number;
}

export interface StratifiedSample {
  requests: TrafficRequest[];
  strata: SampleStratum[];
  /** Each kept request's stratum, by request id. */
  stratumOf: Map<string, string>;
  allocation: Allocation;
  stratify: string;
}

const NONE = '(none)';

/** A request's stratum: its first tag, or for a KEY its metadata's KEY, else the value of its first `KEY:value` / `KEY=value` tag. */
export function stratumOf(request: Pick<TrafficRequest, 'tags' | 'metadata'>, stratify = 'tag'): string {
  if (stratify === 'tag') return request.tags[0] ?? NONE;
  const meta = request.metadata?.[stratify];
  if (meta !== undefined && meta.trim() !== '') return meta.trim();
  for (const t of request.tags) {
    const m = /^([^:=]+)[:=](.*)$/.exec(t);
    if (m && m[1]!.trim() === stratify) return m[2]!.trim() || NONE;
  }
  return NONE;
}

/** Splits n over sizes: largest remainder, so the takes add up to exactly n and none exceeds its stratum. */
function allocate(sizes: number[], keys: string[], n: number, allocation: Allocation): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (allocation === 'proportional') {
    const exact = sizes.map((s) => (s / total) * n);
    const take = exact.map(Math.floor);
    let left = n - take.reduce((a, b) => a + b, 0);
    for (const i of exact.map((_, i) => i).sort((a, b) => (exact[b]! % 1) - (exact[a]! % 1) || keys[a]!.localeCompare(keys[b]!))) {
      if (left-- <= 0) break;
      take[i]!++;
    }
    return take;
  }
  // Equal: the same share each; a stratum smaller than its share gives the rest to the others.
  const take = sizes.map(() => 0);
  let left = n;
  let open = sizes.map((_, i) => i);
  while (left > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(left / open.length));
    for (const i of [...open].sort((a, b) => keys[a]!.localeCompare(keys[b]!))) {
      if (left <= 0) break;
      const add = Math.min(share, sizes[i]! - take[i]!, left);
      take[i]! += add;
      left -= add;
    }
    open = open.filter((i) => take[i]! < sizes[i]!);
  }
  return take;
}

/**
 * Stratified random sample of the traffic: requests are grouped by stratum, n is allocated over the
 * strata, and each stratum is shuffled by the seed (per stratum, so adding a stratum does not move
 * the others' picks). The strata's populations and takes give each kept request its weight, which the
 * A/B verdict carries into a weighted difference and interval (docs/statistics.md).
 */
export function stratifySample(requests: TrafficRequest[], opts: StratifyOptions): StratifiedSample {
  const allocation = opts.allocation ?? 'proportional';
  const stratify = opts.stratify ?? 'tag';
  if (!ALLOCATIONS.includes(allocation)) throw new InputError(`--allocation must be one of ${ALLOCATIONS.join(', ')}, got ${JSON.stringify(allocation)}`);
  const groups = new Map<string, TrafficRequest[]>();
  for (const r of requests) {
    const key = stratumOf(r, stratify);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  if (stratify !== 'tag' && groups.size === 1 && groups.has(NONE)) {
    throw new InputError(`--stratify ${stratify}: no request has "${stratify}" in its metadata or a "${stratify}:value" tag`, {hint: 'tags come from the sample\'s tags field, or from the imported tool\'s tags and metadata (docs/traffic-import.md)'});
  }
  const keys = [...groups.keys()];
  const sizes = keys.map((k) => groups.get(k)!.length);
  const n = opts.n === undefined ? requests.length : Math.min(opts.n, requests.length);
  const takes = n >= requests.length ? sizes : allocate(sizes, keys, n, allocation);
  const chosen = new Set<TrafficRequest>();
  const stratumOfId = new Map<string, string>();
  keys.forEach((key, i) => {
    // The historic seed label: `assay ab --n` keeps picking the same requests it always did.
    const random = seededRandom(seedFrom(opts.seed, 'ab-sample', key === NONE && stratify === 'tag' ? '' : key));
    const order = groups.get(key)!.map((r, j) => ({r, k: random(), j})).sort((a, b) => a.k - b.k || a.j - b.j);
    for (const {r} of order.slice(0, takes[i])) {
      chosen.add(r);
      stratumOfId.set(r.id, key);
    }
  });
  return {
    requests: requests.filter((r) => chosen.has(r)),
    strata: keys.map((stratum, i) => ({stratum, population: sizes[i]!, sampled: takes[i]!, weightPerRequest: takes[i]! > 0 ? sizes[i]! / takes[i]! : 0})),
    stratumOf: stratumOfId,
    allocation,
    stratify,
  };
}
