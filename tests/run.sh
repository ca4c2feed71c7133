#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, then runs pytest.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "tracker needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
need_deb() {  # need_deb COMMAND PACKAGE...: install Debian packages when COMMAND is missing
  local cmd="$1"; shift
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then
    [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}
need_deb /usr/bin/chromium chromium
need_deb node nodejs npm
need_deb wrk wrk  # tests/perf/bench.py --http (the benchmark, not the suite)
need_deb /usr/sbin/dovecot dovecot-imapd  # the real IMAP server tests/imap_server.py starts

# Independent parsers (Mozilla's ical.js) used by the interop tests.
if [ -f tests/js/package.json ]; then
  (cd tests/js && npm install --no-audit --no-fund --silent)
fi

run_pytest() {  # run_pytest LABEL ARGS...: a pytest run that also fails when it collected nothing
  local label="$1"; shift
  echo "=== tests on $label ==="
  set +e
  .venv/bin/python -m pytest "$@"
  local status=$?
  set -e
  if [ "$status" = 5 ]; then echo "pytest collected no tests on $label" >&2; return 1; fi
  return "$status"
}

# Every core runs tests (pytest-xdist: `-n auto`, a worker per core; tests are handed out one
# at a time as workers free up). `bash tests/run.sh -n 0 ...` runs in one process.
parallel=(-n auto --dist worksteal)

status=0
run_pytest SQLite "${parallel[@]}" "$@" || status=1

# The same suite on PostgreSQL (Debian's postgresql, installed and started by tests/pg.sh).
# The pure layers (tests/domain, tests/interop) touch no database and run once, above, and so
# do the other tests that take no database (tests/conftest.py deselects them on PostgreSQL).
# TRACKER_TEST_POSTGRES=0 skips this second run.
if [ "${TRACKER_TEST_POSTGRES:-1}" != 0 ]; then
  pg_url=$(bash tests/pg.sh)
  TRACKER_TEST_DATABASE_URL="$pg_url" run_pytest PostgreSQL "${parallel[@]}" --ignore=tests/domain --ignore=tests/interop "$@" || status=1
fi
exit "$status"
