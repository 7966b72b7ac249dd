// How close assay's routing gets to the cost–quality frontier, out of sample, on real public
// outcomes (../shared/data, read in place). Each data set is split in halves by a hash of the case
// id; every method is fitted on one half and scored on the other, then the halves swap (2-fold), and
// the two held-out figures are averaged. Run: npm run bench:frontier   (about two minutes).
import {generatePolicy, type GenerateOptions} from '../src/routing/generate-policy.ts';
import {costQualityHull} from '../src/routing/cost-quality-hull.ts';
import {createRouter} from '../src/routing/create-router.ts';
import {learnRouter} from '../src/routing/learn-router.ts';
import type {OutcomeSet, RoutingPolicy} from '../src/routing/policy-types.ts';
import {costAt, expectedOn, oracle, perTagReference, type Point, single, SWEEP} from '../test/routing-frontier-helpers.ts';
import {halves, routellmRows, routerArenaRows, sharedDataMissing, type OutcomeRow} from '../test/shared-routing-data.ts';

if (sharedDataMissing) {
  console.log(`skipped: ${sharedDataMissing}`);
  process.exit(0);
}

type Method = (train: OutcomeSet, test: OutcomeSet, target: number) => Point;

/** Held-out quality and cost of a policy served by createRouter, each case's prompt in the request (a learned router reads it). */
function served(policy: RoutingPolicy, test: OutcomeSet): Point {
  const router = createRouter(policy);
  let q = 0;
  let c = 0;
  for (const cs of test.cases) {
    const model = router.route({input: cs.prompt ?? '', tags: cs.tags, metadata: cs.metadata, inputTokens: cs.inputTokens, key: cs.caseId})[0]!;
    q += cs.byModel[model]!.score ?? 0;
    c += cs.byModel[model]!.costUsd ?? 0;
  }
  return {quality: q / test.cases.length, costUsd: c / test.cases.length};
}

/**
 * The learned router: fitted once per half (the fit does not depend on the target); its held-out
 * curve is traced by moving the threshold μ, as RouteLLM traces its routers' curves.
 */
function learnedCurve(train: OutcomeSet, test: OutcomeSet, target: number): {at: Point; curve: Point[]} {
  const policy = generatePolicy(train, {minQuality: target, now: new Date(0)}).policy;
  const learned = learnRouter(train, {minQuality: target}).learned;
  const at = served({...policy, learned}, test);
  const curve = [0, ...Array.from({length: 61}, (_, k) => learned.muPerUsd * 2 ** ((k - 30) / 5)), 1e12].map((mu) => served({...policy, learned: {...learned, muPerUsd: mu}}, test));
  return {at, curve};
}

const generator = (opts: GenerateOptions): Method => (train, test, target) => expectedOn(generatePolicy(train, {...opts, minQuality: target, now: new Date(0)}).policy, test);

/** The best quality a held-out curve reaches within a cost, on its hull. */
function qualityAt(points: Point[], cost: number): number {
  const hull = costQualityHull(points.map((p) => ({costUsdPer1k: p.costUsd, quality: p.quality})));
  let best = Number.NaN;
  for (let i = 0; i < hull.length; i++) {
    const b = hull[i]!;
    if (b.costUsdPer1k <= cost) best = b.quality;
    else {
      if (i > 0) {
        const a = hull[i - 1]!;
        best = a.quality + ((cost - a.costUsdPer1k) / (b.costUsdPer1k - a.costUsdPer1k)) * (b.quality - a.quality);
      }
      break;
    }
  }
  return best;
}


function run(name: string, rows: OutcomeRow[], methods: Record<string, Method>, target: number): void {
  const {sets} = halves(rows, name.replace(/\W+/g, '-'));
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const acc: Record<string, {rel: number; cost: number; curveCost: number; each: number[]}> = {};
  for (const [trainIx, testIx] of [[0, 1], [1, 0]] as const) {
    const train = sets[trainIx];
    const test = sets[testIx];
    const strong = models.reduce((a, b) => (single(train, b).quality > single(train, a).quality ? b : a));
    const ref = single(test, strong);
    const norm = (p: Point): Point => ({quality: p.quality / ref.quality, costUsd: p.costUsd / ref.costUsd});
    const fixed: Record<string, Point> = {...Object.fromEntries(models.map((m) => [`single ${m}`, single(test, m)])), oracle: oracle(test, models)};
    const fitted: Record<string, Method> = {'per-tag reference (in-sample optimum)': (tr, te, t) => perTagReference(tr, te, models, strong, t), ...methods};
    const add = (k: string, at: Point, curveCost: number) => {
      const a = (acc[k] ??= {rel: 0, cost: 0, curveCost: 0, each: []});
      a.rel += at.quality / 2;
      a.cost += at.costUsd / 2;
      a.curveCost += curveCost / 2;
      a.each.push(curveCost);
    };
    for (const [k, p] of Object.entries(fixed)) add(k, norm(p), Number.NaN);
    for (const [k, f] of Object.entries(fitted)) {
      const curve = SWEEP.map((t) => norm(f(train, test, t)));
      add(k, norm(f(train, test, target)), costAt(curve, target));
    }
    const l = learnedCurve(train, test, target);
    add('assay route --learn (learned router)', norm(l.at), costAt(l.curve.map(norm), target));
  }
  console.log(`\n${name}: ${rows.length / models.length} cases; fitted on one half, scored on the other, both ways, averaged; relative to the best single model of the training half`);
  console.log(`  ${'method'.padEnd(40)} ${'held-out quality'.padStart(17)} ${'cost'.padStart(7)}   ${`cost at ${(target * 100).toFixed(0)}% on the held-out curve (each half)`}`);
  for (const [k, a] of Object.entries(acc)) {
    const curve = Number.isNaN(a.curveCost) ? '' : `${a.curveCost.toFixed(3)} (${a.each.map((x) => x.toFixed(3)).join(', ')})`;
    console.log(`  ${k.padEnd(40)} ${(a.rel * 100).toFixed(1).padStart(16)}% ${a.cost.toFixed(3).padStart(7)}   ${curve}`);
  }
}

const methods: Record<string, Method> = {
  'assay route (defaults)': generator({}),
  'assay route --evidence 0': generator({evidenceLevel: 0}),
  'assay route --min-cases 30 --max-rules 8': generator({minCasesPerRule: 30, maxRules: 8}),
};
const targets = (process.argv[2] ?? '0.95').split(',').map(Number);
/** RouterArena tagged by data set and subset (MMLUPro_law, OpenTDB_History, ...): ~80 small tags. */
const fineArena = () => routerArenaRows().map((r) => ({...r, tags: r.case_id.replace(/_\d+$/, '')}));
/**
 * Where the best single model is also the cheapest (RouterArena: Gemini-2.0-Flash), 95% of its
 * quality is met by it alone; the question there is how much quality a budget above its cost buys.
 */
function runBudget(name: string, rows: OutcomeRow[], budgetShare: number): void {
  const {sets} = halves(rows, `${name.replace(/\W+/g, '-')}-budget`);
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const acc: Record<string, number> = {};
  for (const [trainIx, testIx] of [[0, 1], [1, 0]] as const) {
    const train = sets[trainIx];
    const test = sets[testIx];
    const best = models.reduce((a, b) => (single(train, b).quality > single(train, a).quality ? b : a));
    const ref = single(test, best);
    const refTrain = single(train, best);
    const norm = (p: Point): Point => ({quality: p.quality / ref.quality, costUsd: p.costUsd / ref.costUsd});
    const budgets = Array.from({length: 21}, (_, k) => 1 + k * 0.05);
    const rulesCurve = budgets.map((b) => norm(expectedOn(generatePolicy(train, {maxCostUsdPer1k: b * refTrain.costUsd * 1000, now: new Date(0)}).policy, test)));
    const policy = generatePolicy(train, {maxCostUsdPer1k: budgetShare * refTrain.costUsd * 1000, now: new Date(0)}).policy;
    const learned = learnRouter(train, {maxCostUsdPer1k: budgetShare * refTrain.costUsd * 1000}).learned;
    const learnedCurve = [0, ...Array.from({length: 61}, (_, k) => learned.muPerUsd * 2 ** ((k - 30) / 5)), 1e12].map((mu) => norm(served({...policy, learned: {...learned, muPerUsd: mu}}, test)));
    const add = (k: string, v: number) => (acc[k] = (acc[k] ?? 0) + v / 2);
    for (const m of models) add(`single ${m}`, norm(single(test, m)).costUsd <= budgetShare + 1e-9 ? norm(single(test, m)).quality : Number.NaN);
    add('oracle (quality, any cost)', norm(oracle(test, models)).quality);
    add('assay route --max-cost-usd', qualityAt(rulesCurve, budgetShare));
    add('assay route --learn', qualityAt(learnedCurve, budgetShare));
  }
  console.log(`\n${name}: quality (vs the best single model) within ${budgetShare}× its cost, read off each method's held-out curve; halves both ways, averaged`);
  for (const [k, v] of Object.entries(acc)) console.log(`  ${k.padEnd(40)} ${Number.isNaN(v) ? '  over budget' : `${(v * 100).toFixed(1).padStart(12)}%`}`);
}

for (const target of targets) {
  run('RouteLLM GSM8K + MT-Bench', routellmRows('both'), methods, target);
  run('RouteLLM MT-Bench', routellmRows('mt-bench'), methods, target);
  run('RouterArena', routerArenaRows(), methods, target);
  run('RouterArena, fine tags', fineArena(), methods, target);
}
runBudget('RouterArena', routerArenaRows(), 1.2);
runBudget('RouterArena, fine tags', fineArena(), 1.2);
