#!/usr/bin/env bash
# Makes sure the queue tests (test/queue-*.test.ts) have Debian's redis-server: each test starts its own
# on a free loopback port and stops it after. Quick and silent when it is already there.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-redis: redis-server is missing and this is not root; install it with: sudo apt-get install -y redis-server" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available; install Redis (>= 6.2) and put redis-server on PATH" >&2
  exit 0
fi
echo "ensure-redis: installing redis-server (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: only the server binary is needed; the tests never use the system service.
apt-get install -y -qq --no-install-recommends redis-server >/dev/null
