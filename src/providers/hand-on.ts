/**
 * Hands read replies on to their callers a bounded amount of work per event-loop turn. The transport
 * stamps a reply's arrival when the loop reads it; a reply that arrives while the loop is busy waits
 * unread in the socket, and its stamp is late by however long the loop stays busy. Handing every
 * reply read in one turn on at once (each parsed, graded and journaled before the loop reads the
 * sockets again) made that wait the whole batch's work once the process was saturated: with a server
 * adding 20 ms, concurrency 64 reported a p50 of 24–25 ms and 128 one of 43–50 ms, where a bare loop
 * saw 21–23 ms. Here a turn hands replies on until BUDGET_MS of its work is spent; the rest go on in
 * the next turns, each after the loop has read (and stamped) whatever arrived meanwhile: 22.5–23.1
 * ms at 128 (a budget of 4 ms gave 24.6, 6 ms 26.3). The price is paid only when the process is
 * saturated, where turns hold many replies: ~10% fewer requests a second at concurrency 64 against
 * a zero-latency server (paired rounds), more turns each with its own journal write.
 */
const BUDGET_MS = 2;

/** When this turn's first hand-on ran; -1 until one runs in the turn. */
let turnStartedAt = -1;

const newTurn = () => {
  turnStartedAt = -1;
};

/** Calls `fn` in a coming turn, after the loop has read the replies that are ready, within the turn's budget. */
export function handOn(fn: () => void): void {
  setImmediate(run, fn);
}

function run(fn: () => void): void {
  const now = performance.now();
  if (turnStartedAt < 0) {
    turnStartedAt = now;
    // Queued now, it runs first in the next turn's immediates: before the callbacks deferred below.
    setImmediate(newTurn);
  }
  if (now - turnStartedAt > BUDGET_MS) {
    setImmediate(run, fn);
    return;
  }
  fn();
}
