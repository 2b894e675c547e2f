#!/usr/bin/env bash
# Playwright cannot download its own browser on this machine, so the e2e
# suites drive the system Chromium. Install Debian's package when it is
# missing and we are allowed to; otherwise say exactly what to install.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable browser." >&2; exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the e2e suites..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "No browser for the e2e suites: install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
[ -x "$browser" ] || { echo "chromium install did not provide $browser" >&2; exit 1; }
