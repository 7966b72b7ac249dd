/**
 * Time the process was free to run, for deadlines. A deadline is about the provider's time, but a
 * busy process (multi-megabyte replies parsed and journaled, heavy grading, the OS giving the CPU to
 * others) can hold the event loop for longer than a timeout: a request it has not yet written, or a
 * reply that arrived and sits unread, would be called a timeout and sent again. This clock leaves out
 * the time the loop was blocked, measured as the lateness of a short ticking timer.
 */
const TICK_MS = 10;
/** Lateness below this is timer jitter, not a blocked loop. */
const JITTER_MS = 2;

let users = 0;
let ticker: NodeJS.Timeout | null = null;
let lastTick = 0;
let blockedMs = 0;

function tick(): void {
  const now = performance.now();
  const late = now - lastTick - TICK_MS;
  if (late > JITTER_MS) blockedMs += late;
  lastTick = now;
}

/** Blocked time so far, including a block still going on (the tick that would have noticed it is late). */
function blockedNow(): number {
  const late = performance.now() - lastTick - TICK_MS;
  return blockedMs + (late > JITTER_MS ? late : 0);
}

export interface LoopClock {
  /** Milliseconds since open(), minus the time the event loop was blocked. */
  responsiveMs(): number;
  close(): void;
}

export function openLoopClock(): LoopClock {
  if (users++ === 0) {
    lastTick = performance.now();
    ticker = setInterval(tick, TICK_MS);
    ticker.unref();
  }
  const startedAt = performance.now();
  const blockedAtStart = blockedNow();
  let closed = false;
  return {
    responsiveMs: () => performance.now() - startedAt - (blockedNow() - blockedAtStart),
    close() {
      if (closed) return;
      closed = true;
      if (--users === 0 && ticker) {
        clearInterval(ticker);
        ticker = null;
      }
    },
  };
}
