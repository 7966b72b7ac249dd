#!/usr/bin/env bash
# Makes sure the live-view test (test/live-view-tmux.test.ts) has Debian's tmux: it runs `assay run` in a
# real terminal and reads the screen. Quick and silent when it is already there.
set -euo pipefail
if command -v tmux >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tmux: tmux is missing; install it (sudo apt-get install -y tmux) for the live-view test" >&2
  exit 0
fi
echo "ensure-tmux: installing tmux (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends tmux >/dev/null
