import type {GroupStats} from '../runner/summarize.ts';

/**
 * Errors by class as a reader needs them: a refused request names what opened the breaker
 * ("circuit-open 984 (after server 500)") and unsent ones are counted, so no report shows a bare
 * "circuit-open" that hides the real failure.
 */
export function errorClassesText(s: Pick<GroupStats, 'errorsByClass' | 'notSent' | 'circuitOpenCauses'>, sep: ':' | ' ' = ' '): string {
  const parts = Object.entries(s.errorsByClass).map(([cls, n]) => {
    const causes = cls === 'circuit-open' ? Object.keys(s.circuitOpenCauses ?? {}) : [];
    return `${cls}${sep}${n}${causes.length > 0 ? ` (after ${causes.join(', ')})` : ''}`;
  });
  const open = s.errorsByClass['circuit-open'] ?? 0;
  const stopped = (s.notSent ?? 0) - open;
  if (stopped > 0) parts.push(`${stopped} not sent (fail-fast)`);
  return parts.join(', ');
}
