#!/usr/bin/env bash
# Every test the project has, in the order that fails fastest: type-check,
# the app build (the browser smoke benchmark and the e2e suites need dist/),
# the browser, Vitest (unit, protocol, client core against the real server,
# reliability and bench smoke sizes), then the Playwright e2e suites against
# the server's mock mode.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/tsc -p .
node_modules/.bin/vite build
bash scripts/ensure-browser.sh
node_modules/.bin/vitest run
node_modules/.bin/playwright test
