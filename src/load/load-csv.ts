import type {RequestRecord} from './load-types.ts';

const COLUMNS = [
  'model', 'step', 'index', 'warmup', 'scheduled_ms', 'dispatched_ms', 'sent_ms', 'end_ms', 'attempts', 'status', 'error_class', 'http_status',
  'ttft_ms', 'e2e_ms', 'ttft_from_scheduled_ms', 'e2e_from_scheduled_ms', 'tpot_ms', 'itl_mean_ms', 'itl_p50_ms', 'itl_max_ms',
  'chunks', 'input_tokens', 'output_tokens', 'tokens_estimated', 'max_tokens',
] as const;

function cell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** load.csv: one row per request, warm-up included (flagged), times in ms after its step started. */
export function loadCsv(records: readonly RequestRecord[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of records) {
    const gaps = [...r.itlGapsMs].sort((a, b) => a - b);
    const mean = gaps.length > 0 ? gaps.reduce((s, g) => s + g, 0) / gaps.length : null;
    const median = gaps.length > 0 ? (gaps[(gaps.length - 1) >> 1]! + gaps[gaps.length >> 1]!) / 2 : null;
    lines.push(
      [
        r.model, r.step, r.index, r.warmup, r.scheduledMs, r.dispatchedMs, r.sentMs, r.endMs, r.attempts, r.status, r.errorClass, r.httpStatus,
        r.ttftMs, r.e2eMs, r.ttftFromScheduledMs, r.e2eFromScheduledMs, r.tpotMs, mean, median, gaps.at(-1) ?? null,
        r.chunks, r.inputTokens, r.outputTokens, r.tokensEstimated, r.maxTokens,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
