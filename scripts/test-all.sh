#!/usr/bin/env bash
# Every test the project has, in the order that fails fastest:
# type-check, unit and protocol tests (Vitest), the app build, then the
# Playwright e2e suites against the server's mock mode.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/tsc -p .
node_modules/.bin/vitest run
node_modules/.bin/vite build
bash scripts/ensure-browser.sh
node_modules/.bin/playwright test
