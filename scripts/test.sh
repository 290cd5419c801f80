#!/usr/bin/env bash
# The whole test suite, from a brand-new Debian machine (as root) or a developer's checkout:
# installs what the tests need (npm ci; PostgreSQL and PostGIS from Debian's packages when missing),
# checks format and lint (Biome) and unused code (knip), type-checks, runs every jest test (the test setup
# starts and stops its own PostgreSQL server), and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_CLI_TELEMETRY=true

log() { printf '\n==> %s\n' "$*"; }

have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null &&
    compgen -G '/usr/share/postgresql/*/extension/postgis.control' >/dev/null &&
    command -v pg_dump >/dev/null
}

if ! have_postgres; then
  if [ "$(id -u)" -ne 0 ]; then
    echo 'PostgreSQL with PostGIS is missing: run as root once, or: apt-get install -y --no-install-recommends postgresql postgresql-postgis' >&2
    echo '0 passed, 1 failed'
    exit 1
  fi
  log 'Installing PostgreSQL and PostGIS from Debian packages'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis >/dev/null || {
    echo 'apt-get could not install postgresql postgresql-postgis' >&2
    echo '0 passed, 1 failed'
    exit 1
  }
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log 'Installing npm dependencies (npm ci)'
  npm ci --no-audit --no-fund || { echo '0 passed, 1 failed'; exit 1; }
fi

failed_steps=0
# Each step that fails counts as one failure in the summary line; the tests run regardless.
step() {
  local name=$1
  shift
  log "$name ($*)"
  if "$@"; then echo "$name passed"; else echo "$name FAILED"; failed_steps=$((failed_steps + 1)); fi
}
step 'Format and lint check' npx biome ci --error-on-warnings .
step 'Unused files, exports and dependencies' npx knip
step 'Type check' npx tsc --noEmit -p tsconfig.json

log 'Running the tests (jest)'
mkdir -p .test-results
rm -f .test-results/jest.json
npx jest --ci --maxWorkers=2 --json --outputFile=.test-results/jest.json
jest_status=$?

summary=$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(".test-results/jest.json", "utf8"));
    const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} ${r.numFailedTests + failedSuites} ${r.numPendingTests + r.numTodoTests}`);
  } catch { console.log("0 1 0"); }
')
read -r passed failed skipped <<<"$summary"
failed=$((failed + failed_steps))
if [ "$jest_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -gt 0 ]; then failed=$((failed + skipped)); echo "skipped or todo tests are not allowed: $skipped"; fi
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
