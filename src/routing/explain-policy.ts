import type {GeneratedPolicy} from './generate-policy.ts';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const usd = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `$${x < 0.1 ? x.toPrecision(3) : x.toFixed(2)}`);
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x)} ms`);

/**
 * The evidence behind each rule, for a human deciding whether to trust it: per candidate model the
 * cases, quality with its 95% CI, cost per 1k requests, p95 latency, error rate and the paired
 * difference to the winner; then why the winner won and the out-of-sample estimate.
 */
export function explainPolicy(generated: GeneratedPolicy): string {
  const {policy, evidence, warnings} = generated;
  const out: string[] = [];
  const e = policy.expected;
  const objective = policy.objective.maxCostUsdPer1k !== undefined
    ? `maximise quality within ${usd(policy.objective.maxCostUsdPer1k)} per 1k requests`
    : `minimise cost keeping ${pct(policy.objective.minQuality ?? 0.95)} of the best single model's quality`;
  out.push(`objective: ${objective}${policy.objective.maxP95LatencyMs !== undefined ? `, p95 latency ≤ ${policy.objective.maxP95LatencyMs} ms` : ''}`);
  if (e) {
    out.push(
      `estimate (${e.method}${e.selectionQuality !== undefined ? ', the whole selection redone in each fold' : ''}, n=${e.n}, out of sample): quality ${e.quality.toFixed(4)} (${pct(e.quality / e.bestSingleQuality)} of ${e.bestSingleModel}'s ${e.bestSingleQuality.toFixed(4)}), ` +
        `cost ${usd(e.costUsdPer1k)} per 1k vs ${usd(e.bestSingleCostUsdPer1k)}${e.costUsdPer1k !== null && e.bestSingleCostUsdPer1k ? ` (${pct(1 - e.costUsdPer1k / e.bestSingleCostUsdPer1k)} cheaper)` : ''}, p95 ${ms(e.p95LatencyMs)}`,
      ...(e.qualityCi95 ? [`  95% intervals: quality ${e.qualityCi95[0].toFixed(4)}–${e.qualityCi95[1].toFixed(4)} (${pct(e.qualityCi95[0] / e.bestSingleQuality)}–${pct(e.qualityCi95[1] / e.bestSingleQuality)}), cost ${e.costUsdPer1kCi95 ? `${usd(e.costUsdPer1kCi95[0])}–${usd(e.costUsdPer1kCi95[1])}` : '–'} per 1k`] : []),
      ...(e.selectionQuality !== undefined ? [`  the selection's own cross-validated figure (it meets the target by construction): quality ${e.selectionQuality.toFixed(4)}, cost ${usd(e.selectionCostUsdPer1k)} per 1k`] : []),
      `  in sample, for contrast: quality ${e.inSampleQuality.toFixed(4)}, cost ${usd(e.inSampleCostUsdPer1k)} per 1k`,
    );
  }
  if (policy.learned) {
    const l = policy.learned.expected;
    const share = Object.entries(l.share).map(([m, x]) => `${m} ${pct(x)}`).join(', ');
    out.push(
      `learned router (${l.method}, n=${l.n}): quality ${l.quality.toFixed(4)} (${pct(l.quality / l.bestSingleQuality)} of ${l.bestSingleModel}), cost ${usd(l.costUsdPer1k)} per 1k vs ${usd(l.bestSingleCostUsdPer1k)}; serves ${share}`,
      `  in sample, for contrast: quality ${l.inSampleQuality.toFixed(4)}, cost ${usd(l.inSampleCostUsdPer1k)} per 1k; requests without their prompt, and gateway exports, use the rules below`,
    );
  }
  if (generated.steps.length > 1) {
    out.push('', 'what each rule buys (cross-validated, at the objective; rules in policy order):');
    generated.steps.forEach((step, k) => {
      const prev = generated.steps[k - 1];
      const delta = prev && step.costUsdPer1k !== null && prev.costUsdPer1k !== null ? `  (${signedUsd(step.costUsdPer1k - prev.costUsdPer1k)} per 1k, ${signedPts(step.quality - prev.quality)})` : '';
      out.push(`  ${step.added === null ? 'default alone' : `+ ${step.added}`}: quality ${step.quality.toFixed(4)}, cost ${usd(step.costUsdPer1k)} per 1k${step.feasible ? '' : ' (misses the objective)'}${delta}`);
    });
  }
  evidence.forEach((rule, r) => {
    const route = r < policy.rules.length ? policy.rules[r]!.route : policy.default.route;
    out.push('', `${r < policy.rules.length ? `rule ${r + 1}` : 'default'}: ${rule.name}  (n=${rule.n}) → ${formatRoute(route)}`);
    const header = ['model', 'n', 'quality', '95% CI', 'vs winner (95% CI)', 'cost/1k', 'p95', 'errors'];
    const rows = rule.candidates.map((c) => [
      `${c.model === rule.winner ? '*' : ' '} ${c.model}`,
      String(c.n),
      c.quality === null ? '–' : c.quality.toFixed(3),
      c.qualityCi95 ? `${c.qualityCi95[0].toFixed(3)}–${c.qualityCi95[1].toFixed(3)}` : '–',
      c.vsWinner ? `${signed(c.vsWinner.meanDiff)} (${signed(c.vsWinner.ciLow)}, ${signed(c.vsWinner.ciHigh)})` : c.model === rule.winner ? 'winner' : '–',
      usd(c.costUsdPer1k),
      ms(c.p95LatencyMs),
      pct(c.errorRate),
    ]);
    out.push(...table([header, ...rows]).map((l) => `  ${l}`));
    out.push(`  why: ${rule.why}`);
    const x = rule.expected;
    const qCi = x.qualityCi95 ? ` (${x.qualityCi95[0].toFixed(4)}–${x.qualityCi95[1].toFixed(4)})` : '';
    const cCi = x.costUsdPer1kCi95 ? ` (${usd(x.costUsdPer1kCi95[0])}–${usd(x.costUsdPer1kCi95[1])})` : '';
    out.push(`  expected out of sample (cross-validated; 95% intervals over its cases): quality ${x.quality.toFixed(4)}${qCi}, cost ${usd(x.costUsdPer1k)}${cCi} per 1k, p95 ${ms(x.p95LatencyMs)}`);
    const fallback = r < policy.rules.length ? policy.rules[r]!.fallback : policy.default.fallback;
    if (fallback.length) out.push(`  fallback: ${fallback.join(' → ')} (rarely erroring first, then quality, then latency)`);
  });
  const {retry, circuitBreaker, basis} = policy.resilience;
  out.push(
    '',
    `resilience: ${retry.maxAttempts} attempts on ${retry.retryOn.join(', ')}; breaker opens at ${pct(circuitBreaker.errorRate)} failures over ≥ ${circuitBreaker.minRequests} requests, cooldown ${circuitBreaker.cooldownMs / 1000} s`,
    ...basis.map((b) => `  - ${b}`),
  );
  if (warnings.length) out.push('', ...warnings.map((w) => `warning: ${w}`));
  return out.join('\n');
}

/** Percentages that add up to 100 (rounding each weight on its own can make 101). */
function formatRoute(route: readonly {model: string; weight: number}[]): string {
  if (route.length === 1) return route[0]!.model;
  let left = 100;
  return route
    .map((w, i) => {
      const share = i === route.length - 1 ? left : Math.round(w.weight * 100);
      left -= share;
      return `${w.model} ${share}%`;
    })
    .join(', ');
}

const signedUsd = (x: number) => `${x >= 0 ? '+' : '−'}${usd(Math.abs(x))}`;
const signedPts = (x: number) => `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(2)} points`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}
