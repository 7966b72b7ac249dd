import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class Report extends BaseCommand {
  static override summary = 'Rebuild the reports of a run (summary.json, CSVs, report.html), or compare runs.';
  static override description =
    'With one run directory, rebuilds summary.json, results.csv, summary.csv and report.html from its journal (results.jsonl), ' +
    'keeping the gate verdict. With two or more, compares every later run against the first: per model, suite and tag, the ' +
    'difference with a 95% CI (paired on shared cases) and a regression flag; writes comparison.html and comparison.json.';
  static override examples = [
    '<%= config.bin %> report reports/2026-11-24T11-00-00Z',
    '<%= config.bin %> report reports/2026-11-24T11-00-00Z --out /tmp/rebuilt',
    '<%= config.bin %> report reports/2026-11-20T09-00-00Z reports/2026-11-24T11-00-00Z --fail-on-regression',
  ];
  static override strict = false;
  static override args = {
    dir: Args.string({description: 'run directory (repeatable: the first is the baseline of a comparison)', required: true}),
  };
  static override flags = {
    out: Flags.string({char: 'o', description: 'write here instead (default: the run directory; for a comparison, reports/compare-<A>-vs-<B>)'}),
    'fail-on-regression': Flags.boolean({description: 'comparison: exit 1 when any model, suite or tag regressed (95% CI below 0)'}),
    json: Flags.boolean({description: 'print the outcome as one JSON document on stdout'}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Report);
    const {reportRuns} = await import('../report/report-runs.ts');
    const outcome = await reportRuns(argv as string[], {out: flags.out});
    if (outcome.kind === 'run') {
      if (flags.json) process.stdout.write(`${JSON.stringify({dir: outcome.dir, outDir: outcome.outDir, files: outcome.files, summary: outcome.summary}, null, 2)}\n`);
      else {
        const models = Object.entries(outcome.summary.models);
        this.log(`${outcome.summary.runId}: ${outcome.summary.n} results, ${models.length} models${outcome.summary.simulated ? ' (simulated)' : ''}`);
        for (const [label, s] of models) this.log(`  ${label}: pass ${s.passRate === null ? '–' : `${(s.passRate * 100).toFixed(1)}%`}, errors ${s.errors}`);
        if (outcome.tornLines > 0) this.log(`note: ${outcome.tornLines} torn journal line(s) were skipped`);
        this.log(`wrote ${Object.values(outcome.files).join(', ')}`);
      }
      return;
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({outDir: outcome.outDir, files: outcome.files, comparisons: outcome.comparisons}, null, 2)}\n`);
    else {
      for (const c of outcome.comparisons) {
        this.log(`${c.candidate.runId} against ${c.baseline.runId}: ${c.regressions} regression(s), ${c.improvements} improvement(s) (Holm-adjusted p < 0.05 on shared cases)`);
        for (const w of c.warnings) this.log(`  warning: ${w}`);
        for (const r of c.rows.filter((x) => x.regression || x.improvement)) {
          const d = r.diff!;
          const unit = d.metric === 'score' ? 'score' : 'pass rate';
          this.log(`  ${r.regression ? 'REGRESSION ' : 'improvement'} ${r.model} ${r.group.kind === 'all' ? '(all)' : `${r.group.kind} ${r.group.name}`}: ${unit} ${d.estimate >= 0 ? '+' : ''}${d.estimate.toFixed(3)} [${d.ciLow.toFixed(3)}, ${d.ciHigh.toFixed(3)}] on ${r.shared} shared cases, p=${d.pValue.toPrecision(2)}, Holm p=${d.pValueAdjusted.toPrecision(2)}`);
        }
        for (const s of c.servedChanges) this.log(`  SERVED MODEL CHANGED ${s.model}: ${s.baseline.join(', ')} → ${s.candidate.join(', ')} (same label, another model behind it: not a like-for-like comparison)`);
        if (c.onlyInBaseline.length > 0) this.log(`  only in the baseline: ${c.onlyInBaseline.join(', ')}`);
        if (c.onlyInCandidate.length > 0) this.log(`  only in the candidate: ${c.onlyInCandidate.join(', ')}`);
      }
      this.log(`wrote ${outcome.files.html}, ${outcome.files.json}`);
    }
    if (flags['fail-on-regression'] && outcome.comparisons.some((c) => c.regressions > 0)) this.exit(1);
  }
}
