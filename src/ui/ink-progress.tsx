import {Box, render, Text} from 'ink';
import {useEffect, useState} from 'react';
import type {RunEvent} from '../runner/run-benchmark.ts';
import {formatUsd, pacing, ProgressState} from './progress-state.ts';

function Progress({state, subscribe}: {state: ProgressState; subscribe: (fn: () => void) => () => void}) {
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((t) => t + 1)), [subscribe]);
  const elapsed = ((Date.now() - state.startedAt) / 1000).toFixed(1);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>assay run {state.runId}</Text> {state.done}/{state.total} requests · {elapsed}s
        {state.skipped > 0 ? ` · ${state.skipped} resumed` : ''}
      </Text>
      {[...state.models.values()].map((m) => {
        const width = 20;
        const filled = m.total === 0 ? width : Math.round((m.done / m.total) * width);
        return (
          <Text key={m.label}>
            {'  '}
            {m.label.padEnd(18)} <Text color="green">{'█'.repeat(filled)}</Text>
            <Text dimColor>{'░'.repeat(width - filled)}</Text> {String(m.done).padStart(4)}/{m.total}{' '}
            <Text color={m.errors > 0 ? 'red' : undefined}>{m.errors} err</Text> · {m.retries} retry ·{' '}
            {m.graded > 0 ? `${((m.passed / m.graded) * 100).toFixed(0)}% pass` : 'ungraded'} · {formatUsd(m.costUsd)}
            {m.cached > 0 ? ` · ${m.cached} cached` : ''}
            {m.simulated ? <Text color="yellow"> simulated</Text> : null}
            {pacing(m) ? <Text color={m.breaker === 'open' ? 'red' : m.throttled > 0 ? 'yellow' : 'gray'}> {pacing(m)}</Text> : null}
          </Text>
        );
      })}
      {state.warnings.slice(-3).map((w) => (
        <Text key={w} color="yellow">
          warning: {w}
        </Text>
      ))}
    </Box>
  );
}

/** The live terminal view; loaded only when stdout is a TTY and CI is not set. */
export function createInkProgress(): {onEvent: (e: RunEvent) => void; stop: () => void} {
  const state = new ProgressState();
  const listeners = new Set<() => void>();
  const subscribe = (fn: () => void) => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  };
  const app = render(<Progress state={state} subscribe={subscribe} />, {patchConsole: true, exitOnCtrlC: false});
  let pending: NodeJS.Timeout | null = null;
  return {
    onEvent(event) {
      state.apply(event);
      // Redraw at most ~12 times a second: a redraw per result would cost more than the requests.
      pending ??= setTimeout(() => {
        pending = null;
        for (const fn of listeners) fn();
      }, 80);
    },
    stop() {
      if (pending) clearTimeout(pending);
      for (const fn of listeners) fn();
      app.unmount();
    },
  };
}
