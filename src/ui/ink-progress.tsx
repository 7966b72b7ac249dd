import {Box, render, Text, useStdout} from 'ink';
import {useEffect, useState} from 'react';
import type {RunEvent} from '../runner/run-event.ts';
import {ProgressState} from './progress-state.ts';
import {type Line, progressLines, type Span} from './progress-table.ts';

const COLORS: Record<NonNullable<Span['style']>, {color?: string; dimColor?: boolean; bold?: boolean}> = {
  bold: {bold: true},
  dim: {dimColor: true},
  good: {color: 'green'},
  warn: {color: 'yellow'},
  bad: {color: 'red'},
};

function LineView({line, color}: {line: Line; color: boolean}) {
  return (
    <Text wrap="truncate-end">
      {line.map((span, i) => (
        <Text key={i} {...(color && span.style ? COLORS[span.style] : {})}>
          {span.text}
        </Text>
      ))}
    </Text>
  );
}

function Progress({state, subscribe, color}: {state: ProgressState; subscribe: (fn: () => void) => () => void; color: boolean; frame?: number}) {
  const [, setTick] = useState(0);
  const {stdout} = useStdout();
  useEffect(() => subscribe(() => setTick((t) => t + 1)), [subscribe]);
  const lines = progressLines(state, (stdout as NodeJS.WriteStream).columns || 80);
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <LineView key={i} line={line} color={color} />
      ))}
    </Box>
  );
}

/** No colours with NO_COLOR set (any value, https://no-color.org) or TERM=dumb. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/** The live terminal view; loaded only when isInteractive() said so, which is why Ink is told it is interactive (it would otherwise go by CI alone). */
export function createInkProgress(): {onEvent: (e: RunEvent) => void; stopping: () => void; quitMessage: () => string; stop: () => void} {
  const state = new ProgressState();
  const listeners = new Set<() => void>();
  const subscribe = (fn: () => void) => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  };
  const color = colorEnabled();
  const app = render(<Progress state={state} subscribe={subscribe} color={color} />, {patchConsole: true, exitOnCtrlC: false, interactive: true});
  let pending: NodeJS.Timeout | null = null;
  const redraw = () => {
    if (pending) clearTimeout(pending);
    pending = null;
    for (const fn of listeners) fn();
  };
  // The clock, pace and ETA move even while no result arrives.
  const ticker = setInterval(redraw, 1000);
  ticker.unref();
  return {
    onEvent(event) {
      state.apply(event);
      // Redraw at most ~12 times a second: a redraw per result would cost more than the requests.
      pending ??= setTimeout(redraw, 80);
    },
    /** The first Ctrl+C, acknowledged in the frame at once rather than under it. */
    stopping() {
      state.stopping = true;
      redraw();
    },
    quitMessage: () => state.quitMessage(),
    stop() {
      clearInterval(ticker);
      if (pending) clearTimeout(pending);
      // A synchronous last render of the final state: a state update now would be lost to the unmount.
      app.rerender(<Progress state={state} subscribe={subscribe} color={color} frame={Date.now()} />);
      app.unmount();
    },
  };
}
