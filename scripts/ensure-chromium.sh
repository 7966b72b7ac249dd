#!/usr/bin/env bash
# Makes sure the browser tests have Debian's Chromium at /usr/bin/chromium (playwright-core drives it;
# Playwright's own browser download is never used). Quick and silent when it is already there.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing and this is not root; install it with: sudo apt-get install -y chromium" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2
  exit 0
fi
echo "ensure-chromium: installing chromium (about 30 s, once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
