import {causeText} from '../core/error-cause.ts';
import type {RunEvent} from '../runner/run-event.ts';
import {modelLine, ProgressState} from './progress-state.ts';

/** Progress as plain lines (CI, pipes): a line per model every few seconds, never a redraw. */
export function createPlainProgress(write: (line: string) => void, intervalMs = 2000): {onEvent: (e: RunEvent) => void; stopping: () => void; quitMessage: () => string; stop: () => void} {
  const state = new ProgressState();
  let last = 0;
  const flush = () => {
    write(`[${state.done}/${state.total}] ${((Date.now() - state.startedAt) / 1000).toFixed(1)}s`);
    for (const m of state.models.values()) write(`  ${modelLine(m)}`);
  };
  return {
    onEvent(event) {
      state.apply(event);
      if (event.type === 'start') {
        write(`run ${event.runId}: ${event.total} requests${event.skipped ? ` (${event.skipped} already done, skipped)` : ''} -> ${event.dir}`);
        last = Date.now();
      } else if (event.type === 'breaker') {
        write(`circuit breaker for ${event.model}: ${event.from} -> ${event.to}${event.cause ? ` after ${causeText(event.cause)}` : ''}`);
      } else if (event.type === 'batch') {
        write(`batch ${event.batchId} (${event.model}): ${event.status}, ${event.finished}/${event.total} requests finished`);
      } else if (event.type === 'warning') {
        write(`warning: ${event.message}`);
      } else if (event.type === 'result' && Date.now() - last >= intervalMs) {
        last = Date.now();
        flush();
      } else if (event.type === 'end') {
        flush();
      }
    },
    stopping() {
      const inFlight = [...state.models.values()].reduce((n, m) => n + m.inFlight, 0);
      write(`stopping: no new requests; ${inFlight} in flight finish and are saved (Ctrl+C again to quit at once)`);
    },
    quitMessage: () => state.quitMessage(),
    stop() {},
  };
}
