import type {Result} from '../core/types.ts';
import type {GateOutcome} from './evaluate-gate.ts';

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters at all; drop them, escape the rest.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number | null) => ((ms ?? 0) / 1000).toFixed(3);

/**
 * JUnit XML in the common shape CI systems read (testsuites > testsuite > testcase with failure,
 * error or skipped): one testsuite per suite, one testcase per case × model × repeat, and one
 * testsuite for the gate's thresholds.
 */
export function junitXml(runId: string, results: readonly Result[], gate: GateOutcome | null): string {
  const suites = new Map<string, Result[]>();
  for (const r of results) (suites.get(r.suiteId) ?? suites.set(r.suiteId, []).get(r.suiteId)!).push(r);
  const blocks: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const [suiteId, list] of suites) {
    const f = list.filter((r) => r.status === 'ok' && r.pass === false).length;
    const e = list.filter((r) => r.status === 'error').length;
    const s = list.filter((r) => r.status === 'ok' && r.pass === null).length;
    tests += list.length;
    failures += f;
    errors += e;
    const time = list.reduce((sum, r) => sum + (r.latencyMs ?? 0), 0);
    const cases = list.map((r) => {
      const name = `${r.caseId} [${r.model}]${r.repeat > 0 ? ` #${r.repeat + 1}` : ''}`;
      const open = `    <testcase name="${xml(name)}" classname="${xml(`${suiteId}.${r.model}`)}" time="${seconds(r.latencyMs)}"`;
      if (r.status === 'error') return `${open}>\n      <error type="${xml(r.error?.class ?? 'error')}" message="${xml(r.error?.message ?? '')}">${xml(r.error?.hint ?? '')}</error>\n    </testcase>`;
      if (r.pass === false) {
        const reasons = r.grades.filter((g) => g.pass === false).map((g) => `${g.grader}: ${g.reason}`).join('\n');
        return `${open}>\n      <failure type="grade" message="${xml(reasons.split('\n')[0] ?? 'failed')}">${xml(`${reasons}\n\noutput:\n${r.output ?? ''}`)}</failure>\n    </testcase>`;
      }
      if (r.pass === null) return `${open}>\n      <skipped message="${xml(r.grades.some((g) => g.unscored) ? 'unscored grade' : 'no graders')}"/>\n    </testcase>`;
      return `${open}/>`;
    });
    blocks.push(`  <testsuite name="${xml(suiteId)}" tests="${list.length}" failures="${f}" errors="${e}" skipped="${s}" time="${seconds(time)}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  if (gate) {
    const f = gate.checks.filter((c) => !c.pass).length;
    tests += gate.checks.length;
    failures += f;
    const cases = gate.checks.map((c) => {
      const open = `    <testcase name="${xml(`${c.metric}${c.model ? ` [${c.model}]` : ''}`)}" classname="${xml(`gate.${c.scope}`)}" time="0"`;
      return c.pass ? `${open}/>` : `${open}>\n      <failure type="gate" message="${xml(c.message)}"/>\n    </testcase>`;
    });
    blocks.push(`  <testsuite name="gate" tests="${gate.checks.length}" failures="${f}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(`assay ${runId}`)}" tests="${tests}" failures="${failures}" errors="${errors}">\n${blocks.join('\n')}\n</testsuites>\n`;
}
