#!/usr/bin/env bash
# The test command (`make test`, and through it `.ci/run`): lint, then the suite.
#
# The store tests run against SQLite always, and against PostgreSQL too when SOCIALCREDIT_TEST_POSTGRES_URL is
# set. This script sets it by starting a private, throwaway PostgreSQL cluster (its own data folder, listening on
# 127.0.0.1 only, trust authentication) when
#   - SOCIALCREDIT_START_POSTGRES=1 (CI): PostgreSQL is installed from Debian's packages if missing, and any
#     failure to start it fails the run;
#   - or Debian's PostgreSQL server is installed: a failure to start it is reported and the run goes on SQLite-only.
# SOCIALCREDIT_START_POSTGRES=0 skips PostgreSQL; an already set SOCIALCREDIT_TEST_POSTGRES_URL is used as is.
# The cluster is left running so that the next run reuses it (idempotent); stop it with the command printed.
# Extra arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PG_PORT="${SOCIALCREDIT_PG_PORT:-54329}"
PG_DIR="${SOCIALCREDIT_PG_DIR:-/tmp/socialcredit-pg-$(id -u)}"
PG_USER=socialcredit
PG_DB=socialcredit_test

say() { printf '%s\n' "test.sh: $*" >&2; }

pg_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        printf '%s\n' "$dir"
    fi
}

install_postgres() {
    say "PostgreSQL is not installed: installing Debian's postgresql package"
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        sudo=(sudo -n)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
}

# Run a PostgreSQL program as the cluster's owner: the postgres account when we are root (the server refuses to
# run as root), else ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    local bindir="$1"
    local data="$PG_DIR/data"
    mkdir -p "$PG_DIR" || return 1
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$PG_DIR" || return 1
    fi
    chmod 700 "$PG_DIR" || return 1
    if [[ ! -f "$data/PG_VERSION" ]]; then
        say "creating a PostgreSQL cluster in $data"
        as_owner "$bindir/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
            || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    fi
    if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "PostgreSQL is already running in $data"
    else
        say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_owner "$bindir/pg_ctl" -D "$data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start \
            >/dev/null || { tail -n 20 "$PG_DIR/server.log" >&2; return 1; }
    fi
    local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1)
    local exists
    exists="$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" || return 1
    if [[ "$exists" != 1 ]]; then
        "${psql[@]}" -c "CREATE DATABASE $PG_DB" || return 1
    fi
    export SOCIALCREDIT_TEST_POSTGRES_URL="postgresql+psycopg://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
    say "PostgreSQL ready: $SOCIALCREDIT_TEST_POSTGRES_URL (stop it with: $( [[ "$(id -u)" == 0 ]] && printf 'runuser -u postgres -- ')$bindir/pg_ctl -D $data stop)"
}

if [[ -n "${SOCIALCREDIT_TEST_POSTGRES_URL:-}" ]]; then
    say "using PostgreSQL at SOCIALCREDIT_TEST_POSTGRES_URL as given"
elif [[ "${SOCIALCREDIT_START_POSTGRES:-}" == 1 ]]; then
    bindir="$(pg_bindir)"
    if [[ -z "$bindir" ]]; then
        install_postgres
        bindir="$(pg_bindir)"
        [[ -n "$bindir" ]] || { say "PostgreSQL is still not installed after apt-get"; exit 1; }
    fi
    start_postgres "$bindir" || { say "could not start PostgreSQL"; exit 1; }
elif [[ "${SOCIALCREDIT_START_POSTGRES:-}" != 0 && -n "$(pg_bindir)" ]]; then
    start_postgres "$(pg_bindir)" || say "WARNING: could not start PostgreSQL; the store tests run on SQLite only"
else
    say "PostgreSQL not installed (or SOCIALCREDIT_START_POSTGRES=0): the store tests run on SQLite only"
fi

# The browser tests (tests/web/browser) drive Debian's Chromium with Playwright, found by path (the registries here
# cannot download Playwright's own browsers), and check pages with axe-core from the npm registry. In CI
# (SOCIALCREDIT_INSTALL_BROWSER=1) Chromium, a CJK font for the screenshots and axe-core are installed and the
# browser tests must run; elsewhere they run when Chromium is there and are skipped, saying so, when it is not.
AXE_VERSION=4.14.1
AXE_DIR=.cache/axe-core-$AXE_VERSION
install_browser() {
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        sudo=(sudo -n)
    fi
    if [[ ! -x /usr/bin/chromium ]] || ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then
        say "installing Debian's chromium and a CJK font"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-wqy-zenhei
    fi
}
install_axe() {
    if [[ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]] && command -v npm >/dev/null; then
        say "installing axe-core $AXE_VERSION from the npm registry into $AXE_DIR"
        mkdir -p "$AXE_DIR"
        npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >&2 || say "WARNING: could not install axe-core"
    fi
    if [[ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]]; then
        export SOCIALCREDIT_AXE_JS="$PWD/$AXE_DIR/node_modules/axe-core/axe.min.js"
    fi
}
if [[ "${SOCIALCREDIT_INSTALL_BROWSER:-}" == 1 ]]; then
    install_browser
    install_axe
    export SOCIALCREDIT_REQUIRE_BROWSER=1
elif [[ -x /usr/bin/chromium ]]; then
    install_axe
fi

status=0
"$BIN/ruff" check src tests || status=1
# Two workers on two cores (pytest-xdist), a test file per worker at a time so that module fixtures (a served
# portal, a browser) are built once; the slowest tests are listed at the end.
"$BIN/pytest" -q -n "${SOCIALCREDIT_TEST_WORKERS:-auto}" --dist loadfile --durations=25 "$@" || status=1
exit "$status"
