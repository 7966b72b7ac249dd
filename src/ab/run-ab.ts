import {basename, join, relative, resolve} from 'node:path';
import {loadConfig, type LoadedConfig} from '../config/load-config.ts';
import {graderSchema} from '../config/schema.ts';
import {InputError} from '../core/errors.ts';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import {createGrader, graderContext} from '../graders/create-grader.ts';
import {judgePairwise} from '../graders/pairwise-judge.ts';
import {openModelSession} from '../runner/model-session.ts';
import {writeReports} from '../report/write-reports.ts';
import {runBenchmark, type RunEvent, type RunOutcome} from '../runner/run-benchmark.ts';
import type {LoadedSuite} from '../suites/load-suite.ts';
import {abVerdict, type AbVerdict, type PairedCase} from './ab-verdict.ts';
import {journalLoggedAnswers} from './logged-results.ts';
import {createScrubber, dedupeRequests, type ScrubOptions, scrubRequests} from './scrub-traffic.ts';
import type {TrafficFormat} from './traffic-request.ts';
import {loadTraffic, type SkippedRequest} from './load-traffic.ts';
import {stratifySample, type Allocation} from './stratify-sample.ts';

export interface AbOptions {
  /** The control's model label, or `logged`: what production answered, from the sample's records (only the treatment is called). */
  control: string;
  treatment: string;
  /** The traffic sample file: JSONL of chat requests, or JSONL/CSV with prompt/messages, expected, tags, id. */
  sample: string;
  n?: number;
  seed?: number;
  /** Judge model for pairwise judging (both orders). */
  judge?: string;
  /** Graders for requests that have `expected` (default exact-match, trim). */
  graders?: string[];
  /** The effect size (in score points, 0..1) to say how many requests would detect. */
  effect?: number;
  config?: string;
  cwd?: string;
  outDir?: string;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  sandboxLatencyScale?: number;
  /** The tool that wrote the sample (default: told apart per record). */
  format?: TrafficFormat | 'auto';
  /** Refuse the sample at its first unusable record. */
  strict?: boolean;
  /** Stratify the sample by `tag` (first tag) or by KEY (the value of a `KEY:value` tag); the verdict then shows a weighted estimate. */
  stratify?: string;
  /** How `n` is split over the strata (default proportional); `equal` over-samples rare strata and the weighted estimate decides the verdict. */
  allocation?: Allocation;
  /** Keep one request per distinct conversation. */
  dedupe?: boolean;
  /** PII scrubbing applied before anything is sent or written. */
  scrub?: Omit<ScrubOptions, 'cwd'>;
}

/** `--control logged`: the control is the answer production logged, not a model we call. */
export const LOGGED = 'logged';

export interface AbOutcome {
  verdict: AbVerdict & {judged?: AbVerdict};
  run: RunOutcome;
}

const DEFAULT_CRITERIA = 'Which answer better serves the request: correct first, then complete, then clear and concise.';

/** Runs control and treatment on the same sampled requests, grades or judges them, and returns a paired verdict. Everything `assay ab` does. */
export async function runAb(opts: AbOptions): Promise<AbOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const loaded: LoadedConfig = await loadConfig(opts.config, {cwd, suitesOptional: true});
  const logged = opts.control === LOGGED;
  for (const [flag, label] of logged ? ([['--treatment', opts.treatment]] as const) : ([['--control', opts.control], ['--treatment', opts.treatment]] as const)) {
    if (!loaded.models.has(label)) throw new InputError(`${flag} "${label}" is not a model label in ${loaded.file}`, {hint: `known models: ${[...loaded.models.keys()].join(', ')}`});
  }
  if (opts.control === opts.treatment) throw new InputError('--control and --treatment name the same model', {hint: 'an A/B compares two different models'});
  const judge = opts.judge;
  if (judge !== undefined && !loaded.models.has(judge)) throw new InputError(`--judge "${judge}" is not a model label`, {hint: `known models: ${[...loaded.models.keys()].join(', ')}`});

  const file = resolve(cwd, opts.sample);
  const display = relative(cwd, file) || file;
  const traffic = await loadTraffic(file, display, {format: opts.format, strict: opts.strict});
  const skipped: SkippedRequest[] = [...traffic.skipped];
  let requests = traffic.requests;
  const scrubber = opts.scrub ? await createScrubber({...opts.scrub, cwd}) : null;
  if (scrubber) requests = await scrubRequests(requests, scrubber);
  if (opts.dedupe) {
    const unique = dedupeRequests(requests);
    requests = unique.requests;
    skipped.push(...unique.skipped);
  }
  if (logged) {
    for (const r of requests.filter((x) => !x.logged)) skipped.push({line: r.line, id: r.id, reason: 'no logged answer to compare with (--control logged)'});
    requests = requests.filter((r) => r.logged);
    if (requests.length === 0) throw new InputError('no request in the sample carries a logged answer, so --control logged has nothing to compare', {file: display, hint: 'import a log that keeps responses (e.g. LiteLLM with store_prompts_in_spend_logs, Langfuse generations with output), or name a --control model'});
  }
  const graded = requests.some((r) => r.expected !== null);
  if (!graded && judge === undefined) {
    throw new InputError('the sample has no "expected" values to grade against, and no --judge was given', {file: display, hint: 'add expected answers, or pass --judge MODEL for pairwise judging'});
  }
  if (graded && judge === undefined) {
    for (const r of requests.filter((x) => x.expected === null)) skipped.push({line: r.line, id: r.id, reason: 'no expected value to grade (and no --judge)'});
    requests = requests.filter((r) => r.expected !== null);
  }
  const sample = stratifySample(requests, {n: opts.n, seed: opts.seed ?? loaded.config.seed, stratify: opts.stratify, allocation: opts.allocation});
  requests = sample.requests;
  const weights = opts.stratify !== undefined || opts.allocation !== undefined ? sample : undefined;

  const useGraders = graded && requests.every((r) => r.expected !== null);
  const graderNames = opts.graders?.length ? opts.graders : ['exact-match'];
  const graders = useGraders
    ? await Promise.all(
        graderNames.map((type) => {
          const parsed = graderSchema.safeParse({type});
          if (!parsed.success) throw new InputError(`--grader "${type}" is not a grader that works without options`, {hint: 'use exact-match, contains, numeric, json-valid or similarity'});
          return createGrader(parsed.data, graderContext(display));
        }),
      )
    : [];
  const suite: LoadedSuite = {
    id: basename(file).replace(/\.[^.]+$/, '') || 'ab',
    description: `A/B sample from ${display}`,
    file: display,
    tags: [],
    models: logged ? [opts.treatment] : [opts.control, opts.treatment],
    params: undefined,
    graderDefs: graderNames.map((type) => ({type}) as never),
    graders,
    cases: requests.map((r) => ({id: r.id, vars: {}, expected: r.expected, tags: r.tags, messages: r.messages, ...(r.params && {params: r.params}), source: {file: display, line: r.line}})),
    gate: undefined,
  };
  // --seed seeds the whole experiment: the sample and (for simulated models) the sandbox.
  const config = opts.seed === undefined ? loaded.config : {...loaded.config, seed: opts.seed, sandbox: {...loaded.config.sandbox, seed: opts.seed}};
  const run = await runBenchmark({
    cwd,
    prepared: {...loaded, config, suites: [suite]},
    models: logged ? [opts.treatment] : [opts.control, opts.treatment],
    outDir: opts.outDir,
    concurrency: opts.concurrency,
    signal: opts.signal,
    onEvent: opts.onEvent,
    sandboxLatencyScale: opts.sandboxLatencyScale,
    argv: ['ab', '--control', opts.control, '--treatment', opts.treatment, '--sample', display],
  });

  const results = logged ? [...run.results, ...(await journalLoggedAnswers(run, requests, suite))] : run.results;
  const byCase = new Map<string, {control?: Result; treatment?: Result; tags: string[]}>();
  for (const r of results) {
    const entry = byCase.get(r.caseId) ?? {tags: r.tags};
    if (r.model === opts.control) entry.control = r;
    if (r.model === opts.treatment) entry.treatment = r;
    byCase.set(r.caseId, entry);
  }
  const cases: PairedCase[] = [...byCase]
    .filter(([, e]) => e.control && e.treatment)
    .map(([id, e]) => ({id, tags: e.tags, control: e.control!, treatment: e.treatment!}));

  if (judge !== undefined) {
    const session = await openModelSession(loaded, [judge], {latencyScale: opts.sandboxLatencyScale, signal: opts.signal});
    try {
      const queue = cases.filter((c) => c.control.status === 'ok' && c.treatment.status === 'ok');
      const workers = Array.from({length: Math.min(8, queue.length)}, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const out = await judgePairwise(session.callModel, judge, {
            question: c.control.input,
            answerA: answerOf(c.control),
            answerB: answerOf(c.treatment),
            criteria: DEFAULT_CRITERIA,
            reference: c.control.expected,
          }).catch(() => null);
          c.treatmentWin = out?.scoreA === null || out === null ? null : 1 - out.scoreA;
        }
      });
      await Promise.all(workers);
    } finally {
      await session.close();
    }
  }

  const effect = opts.effect ?? 0.05;
  const primary = abVerdict(opts.control, opts.treatment, cases, {metric: useGraders ? 'score' : 'pairwise', effect, skipped, sample: weights});
  const verdict: AbVerdict & {judged?: AbVerdict} = useGraders && judge !== undefined ? {...primary, judged: abVerdict(opts.control, opts.treatment, cases, {metric: 'pairwise', effect, skipped, sample: weights})} : primary;
  writeJsonAtomic(join(run.dir, 'ab.json'), verdict);
  // The run's report was written before the verdict existed: rebuild it with the A/B section.
  await writeReports(run.dir, run.runId, {keepGate: true});
  return {verdict, run};
}

/** What a judge reads as an answer: its text, and the tools it called (one per line). */
function answerOf(r: Result): string {
  const calls = (r.toolCalls ?? []).map((c) => `→ ${c.name}(${typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments)})`);
  return [r.output ?? '', ...calls].filter(Boolean).join('\n');
}
