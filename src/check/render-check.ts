import type {CheckReport, CheckStep} from './run-check.ts';

function verdict(step: CheckStep): string {
  if (step.skipped) return step.ok ? 'skip' : '--';
  return step.ok ? 'ok' : 'FAIL';
}

function measured(step: CheckStep): string {
  if (step.ttftMs !== undefined) return `ttft ${Math.round(step.ttftMs)} ms`;
  if (step.latencyMs !== undefined) return `${Math.round(step.latencyMs)} ms`;
  return '';
}

/** One block per provider, one line per step; every failure is followed by its cause and fix. */
export function renderCheck(report: CheckReport): string {
  const out: string[] = [];
  const stepWidth = Math.max(...report.providers.flatMap((p) => p.steps.map((s) => s.name.length)), 4);
  const modelWidth = Math.max(...report.providers.flatMap((p) => p.steps.map((s) => (s.model ?? '').length)), 0);
  for (const provider of report.providers) {
    out.push(`${provider.id}${provider.simulated ? ' (sandbox: simulated)' : ''}  ${provider.ok ? 'ok' : 'FAILED'}`);
    for (const step of provider.steps) {
      const cls = step.errorClass ? `[${step.errorClass}${step.status !== undefined ? ` ${step.status}` : ''}] ` : '';
      const timing = measured(step);
      out.push(
        `  ${verdict(step).padEnd(4)}  ${step.name.padEnd(stepWidth)}  ${(step.model ?? '').padEnd(modelWidth)}  ${timing ? `${timing.padStart(9)}  ` : ''}${cls}${step.detail ?? ''}`.trimEnd(),
      );
      if (!step.ok && step.hint) out.push(`        fix: ${step.hint}`);
    }
    for (const warning of provider.warnings ?? []) out.push(`  note: ${warning}`);
    out.push('');
  }
  const failing = report.providers.filter((p) => !p.ok);
  out.push(
    failing.length === 0
      ? `${report.providers.length} provider(s) checked: every step passed.`
      : `${failing.length} of ${report.providers.length} provider(s) failing: ${failing.map((p) => p.id).join(', ')}.`,
  );
  if (report.providers.some((p) => p.simulated)) out.push('Providers marked (sandbox: simulated) are served by the assay sandbox, not real providers.');
  return out.join('\n');
}
