#!/usr/bin/env bash
# Install what the tests need and run the whole suite. Arguments go to pytest.
#
#   TEST_DATABASE_URL=postgresql://...  also run every database test on PostgreSQL
#   MODERATION_TEST_STRICT=1            a test that cannot run (no PostgreSQL, no browser) fails
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
    fi
fi

# axe-core, for the accessibility audits, from the npm registry into a cache of our own.
AXE_DIR="${MODERATION_AXE_DIR:-$HOME/.cache/moderation-tests}"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] && command -v npm >/dev/null; then
    npm install --silent --no-save --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4 >/dev/null
fi
export MODERATION_AXE_DIR="$AXE_DIR"

.venv/bin/ruff check moderation tests bench
.venv/bin/ruff format --check --quiet moderation tests bench
.venv/bin/mypy moderation
# Two processes: the machines have two cores, and the tests are independent of each other.
exec .venv/bin/pytest -n 2 "$@"
