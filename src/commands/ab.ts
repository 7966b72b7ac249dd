import {Flags} from '@oclif/core';
import {TRAFFIC_FORMATS, type TrafficFormat} from '../ab/traffic-request.ts';
import {BaseCommand} from '../cli/base-command.ts';

export default class Ab extends BaseCommand {
  static override summary = 'A/B test two models on a traffic sample: a paired run and an honest statistical verdict.';
  static override description =
    'Runs control and treatment on the same requests, grades them against `expected` (or judges them pairwise, both orders, with --judge), ' +
    'and says whether the treatment is better, worse or indistinguishable, by how much, how sure, at what cost and latency — and, if unsure, how many requests would settle it. ' +
    'Writes a run directory with ab.json.';
  static override examples = [
    '<%= config.bin %> ab --control sim-medium --treatment sim-flash --sample datasets/traffic.jsonl --n 200',
    '<%= config.bin %> ab --control gpt-4o --treatment claude-haiku --sample logs.jsonl --judge sim-judge --fail-if-worse',
    '<%= config.bin %> ab --control logged --treatment sim-flash --sample datasets/traffic.jsonl',
    '<%= config.bin %> ab --control sim-medium --treatment sim-flash --sample datasets/traffic.jsonl --n 60 --allocation equal',
  ];
  static override flags = {
    control: Flags.string({description: 'model label of the current model, or "logged": the answers production logged in the sample (only the treatment is called)', required: true}),
    treatment: Flags.string({description: 'model label of the candidate', required: true}),
    sample: Flags.string({description: 'traffic sample: OpenAI chat request logs (JSONL, with an optional logged `response`), LiteLLM, Langfuse, Helicone or LangSmith exports, OTLP/JSON GenAI spans, or JSONL/CSV with prompt, expected, tags, id', required: true}),
    format: Flags.string({description: 'the tool that wrote --sample (default: told apart per record)', options: ['auto', ...TRAFFIC_FORMATS], default: 'auto'}),
    strict: Flags.boolean({description: 'refuse the sample at its first malformed or unusable record instead of skipping it'}),
    dedupe: Flags.boolean({description: 'keep one request per distinct conversation (the rest are reported as duplicates)'}),
    scrub: Flags.string({description: 'replace PII before anything is sent or written: email, phone, card, ipv4, ssn, or all (repeatable)', multiple: true}),
    'scrub-pattern': Flags.string({description: 'a regular expression whose matches become [REDACTED] (repeatable)', multiple: true}),
    'scrub-module': Flags.string({description: 'a .ts/.js module whose default export (text) => text scrubs after the patterns'}),
    n: Flags.integer({description: 'requests to sample (stratified by tag), default all', min: 2}),
    stratify: Flags.string({description: 'stratify the sample by "tag" (a request\'s first tag) or by KEY (the value of its KEY:value tag); the verdict adds a weighted estimate'}),
    allocation: Flags.string({description: 'how --n is split over the strata: proportional (default) or equal (rare strata get as many; the weighted estimate then decides)', options: ['proportional', 'equal']}),
    seed: Flags.integer({description: 'seed for the sample (and simulated models)'}),
    judge: Flags.string({description: 'judge model for pairwise judging (both orders; ties count 0.5)'}),
    grader: Flags.string({description: 'grader for requests with `expected` (repeatable; default exact-match)', multiple: true}),
    effect: Flags.string({description: 'effect size (0..1) to report the needed n for', default: '0.05'}),
    'fail-if-worse': Flags.boolean({description: 'exit 1 when the treatment is significantly worse'}),
    config: Flags.string({char: 'c', description: 'config file'}),
    out: Flags.string({char: 'o', description: 'reports directory'}),
    concurrency: Flags.integer({description: 'requests in flight at most', min: 1}),
    json: Flags.boolean({description: 'print ab.json on stdout'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Ab);
    const effect = Number(flags.effect);
    if (!(effect > 0 && effect <= 1)) this.error(`--effect must be a number in (0, 1], got ${JSON.stringify(flags.effect)}`, {exit: 2});
    const [{runAb}, {createPlainProgress}, {renderAb}] = await Promise.all([import('../ab/run-ab.ts'), import('../ui/plain-progress.ts'), import('../ab/render-ab.ts')]);
    const view = createPlainProgress((line) => process.stderr.write(`${line}\n`));
    const {verdict, run} = await runAb({
      control: flags.control,
      treatment: flags.treatment,
      sample: flags.sample,
      format: flags.format as TrafficFormat | 'auto',
      strict: flags.strict,
      dedupe: flags.dedupe,
      scrub: flags.scrub || flags['scrub-pattern'] || flags['scrub-module'] ? {builtIn: flags.scrub, patterns: flags['scrub-pattern'], module: flags['scrub-module']} : undefined,
      n: flags.n,
      stratify: flags.stratify,
      allocation: flags.allocation as 'proportional' | 'equal' | undefined,
      seed: flags.seed,
      judge: flags.judge,
      graders: flags.grader,
      effect,
      config: flags.config,
      outDir: flags.out,
      concurrency: flags.concurrency,
      onEvent: view.onEvent,
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    else this.log(renderAb(verdict, run.dir));
    if (flags['fail-if-worse'] && verdict.verdict === 'worse') {
      process.stderr.write(`--fail-if-worse: ${verdict.summary}\n`);
      this.exit(1);
    }
  }
}
