#!/usr/bin/env bash
# Runs the whole test suite several times in a row while CPU burners keep every core busy, the way a
# loaded CI machine does: a test that leans on wall-clock margins, or shares its event loop with a
# server it stresses, fails here. Prints each run's time; exits non-zero at the first failing run.
#
#   scripts/stress-tests.sh            # 3 runs, one burner per core
#   STRESS_RUNS=5 STRESS_BURNERS=4 scripts/stress-tests.sh
#   scripts/stress-tests.sh test/busy-deadlines.test.ts   # arguments go to vitest (e.g. some files only)
#
# Bounded: every burner stops by itself after STRESS_LIMIT_S (default 3600 s) and is killed when the
# script ends, however it ends; each suite run is cut off after STRESS_RUN_LIMIT_S (default 1200 s).
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's Node (node_modules/.bin/node, Node 24) and vitest, as npm scripts see them.
export PATH="$PWD/node_modules/.bin:$PATH"

RUNS=${STRESS_RUNS:-3}
BURNERS=${STRESS_BURNERS:-$(nproc)}
LIMIT_S=${STRESS_LIMIT_S:-3600}
RUN_LIMIT_S=${STRESS_RUN_LIMIT_S:-1200}

# What `npm test` does first: build dist/ for the CLI tests, make sure Chromium, redis-server and tmux exist.
npm run -s build
bash scripts/ensure-chromium.sh
bash scripts/ensure-redis.sh
bash scripts/ensure-tmux.sh

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_burners EXIT INT TERM
for _ in $(seq "$BURNERS"); do
  # A busy loop that ends on its own: nothing is left spinning if this script is killed with -9.
  timeout "${LIMIT_S}s" sh -c 'while :; do :; done' &
  burners+=("$!")
done
echo "stress: ${BURNERS} CPU burner(s) on $(nproc) core(s); ${RUNS} run(s) of the whole suite"

times=()
for run in $(seq "$RUNS"); do
  start=$(date +%s)
  if timeout "${RUN_LIMIT_S}s" vitest run "$@"; then
    seconds=$(($(date +%s) - start))
    times+=("${seconds}s")
    echo "stress: run ${run}/${RUNS} passed in ${seconds} s"
  else
    echo "stress: run ${run}/${RUNS} FAILED after $(($(date +%s) - start)) s (passed before it: ${times[*]:-none})" >&2
    exit 1
  fi
done
echo "stress: ${RUNS}/${RUNS} runs passed under load; times: ${times[*]}"
