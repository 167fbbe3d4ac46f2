# Shared by scripts/run and scripts/test: installs what is missing, once. Sourced, not run.
# Every step checks first, so a second run on a ready machine costs a few seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.4
TRUNK_VERSION=0.21.14

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 15 minutes)"
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  # cargo-leptos calls the wasm-bindgen CLI, which must match the library in Cargo.lock exactly.
  local wb
  wb="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb$"; then
    say "installing wasm-bindgen-cli $wb"
    cargo install wasm-bindgen-cli --version "$wb" --locked --force
  fi
}

# Trunk builds the client-side-rendered variant (Trunk.toml).
ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (once; about 10 minutes)"
    cargo install "trunk@$TRUNK_VERSION" --locked
  fi
}

# Playwright, binaryen (wasm-opt, for release builds), Swagger UI and GraphiQL come from npm,
# pinned by the lockfile.
ensure_node_tools() {
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing npm packages (Playwright, binaryen)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  # Vendored, so the API docs page needs no CDN.
  cp -u end2end/node_modules/swagger-ui-dist/{swagger-ui.css,swagger-ui-bundle.js} public/vendor/swagger-ui/
  cp -u end2end/node_modules/graphiql/graphiql.min.{js,css} \
    end2end/node_modules/react/umd/react.production.min.js \
    end2end/node_modules/react-dom/umd/react-dom.production.min.js public/vendor/graphiql/
}

# From PyPI, in a private venv: schemathesis checks the REST API against its OpenAPI document;
# moto is the local S3-compatible server the storage tests run against; djaodjin-deployutils
# (with Django) makes the DjaoDjin proxy's sessions the tests read (scripts/djaodjin-session.py).
PY_TOOLS="$ROOT/target/py"
SCHEMATHESIS_VERSION=4.32.5
AIOSMTPD_VERSION=1.4.6
MOTO_VERSION=5.1.22
DEPLOYUTILS_VERSION=0.14.6

ensure_python_tools() {
  if ! "$PY_TOOLS/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION$"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$PY_TOOLS"
    "$PY_TOOLS/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # sed reads all of pip's output (grep -q would stop early, and pipefail would see pip's SIGPIPE).
  if [ "$("$PY_TOOLS/bin/pip" show moto 2>/dev/null | sed -n 's/^Version: //p')" != "$MOTO_VERSION" ]; then
    say "installing moto $MOTO_VERSION (local S3)"
    "$PY_TOOLS/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
  fi
  if [ "$("$PY_TOOLS/bin/pip" show aiosmtpd 2>/dev/null | sed -n 's/^Version: //p')" != "$AIOSMTPD_VERSION" ]; then
    say "installing aiosmtpd $AIOSMTPD_VERSION (local SMTP sink)"
    "$PY_TOOLS/bin/pip" install --quiet "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  if [ "$("$PY_TOOLS/bin/pip" show djaodjin-deployutils 2>/dev/null | sed -n 's/^Version: //p')" != "$DEPLOYUTILS_VERSION" ] \
    || ! "$PY_TOOLS/bin/python" -c 'import django' 2>/dev/null; then
    say "installing djaodjin-deployutils $DEPLOYUTILS_VERSION (the DjaoDjin proxy's sessions)"
    "$PY_TOOLS/bin/pip" install --quiet "djaodjin-deployutils[django]==$DEPLOYUTILS_VERSION"
  fi
}

# Debian's nginx, for the cluster test (it runs its own nginx process on its own ports).
ensure_nginx() {
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    say "installing Debian's nginx"
    as_root apt-get update
    as_root apt-get install -y nginx-light
  fi
}

# Playwright cannot download its own browser here; Debian's Chromium is used instead.
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    as_root apt-get update
    as_root apt-get install -y chromium
  fi
}

# A PostgreSQL server on 127.0.0.1:5432 for the tests of the PostgreSQL backend: the one that
# answers there, else Debian's, installed and started here with a local password for the
# `postgres` user (a throwaway test cluster on loopback). Exports MUBLOG_TEST_POSTGRES, the
# server the integration tests create their databases on.
ensure_postgres() {
  export MUBLOG_TEST_POSTGRES="${MUBLOG_TEST_POSTGRES:-postgres://postgres:postgres@127.0.0.1:5432}"
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    say "installing Debian's postgresql"
    as_root apt-get update
    as_root apt-get install -y postgresql
  fi
  say "starting PostgreSQL"
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h | grep -q "^$version main"; then as_root pg_createcluster "$version" main; fi
  as_root pg_ctlcluster "$version" main start || true
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.2
  done
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
}

# A Redis server on 127.0.0.1:6379 for the shared rate limits' tests: the one that answers
# there, else Debian's, installed and started here. Exports MUBLOG_TEST_REDIS.
ensure_redis() {
  export MUBLOG_TEST_REDIS="${MUBLOG_TEST_REDIS:-redis://127.0.0.1:6379}"
  if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    return 0
  fi
  if ! command -v redis-server >/dev/null; then
    say "installing Debian's redis-server"
    as_root apt-get update
    as_root apt-get install -y redis-server
  fi
  say "starting Redis"
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
}

# The benchmark's load generator and compressor, from Debian's packages.
ensure_bench_tools() {
  if ! command -v wrk >/dev/null || ! command -v brotli >/dev/null; then
    say "installing wrk and brotli"
    as_root apt-get update
    as_root apt-get install -y wrk brotli
  fi
}

# The release build's server on 127.0.0.1:$1, with a fresh database in the folder $2: the
# environment (for `mublog seed` too), then `start_release_server` runs it and waits until it
# answers, leaving its pid in SERVER_PID.
release_env() {
  export MUBLOG_DATA_DIR="$2" DATABASE_URL="sqlite://$2/mublog.db" MUBLOG_SEED_DEMO=false \
    MUBLOG_JWT_SECRET="local-test-only-secret-0123456789abcdef" MUBLOG_WORKERS=0 \
    LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=mublog \
    LEPTOS_HASH_FILES=true LEPTOS_ENV=PROD MUBLOG_PUBLIC_URL="http://127.0.0.1:$1" RUST_LOG=warn
}

start_release_server() {
  "$ROOT/target/release/mublog" >"$MUBLOG_DATA_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "$MUBLOG_PUBLIC_URL/healthz" >/dev/null && return 0
    sleep 0.1
  done
  cat "$MUBLOG_DATA_DIR/server.log"
  return 1
}

# Signs in the author of the newest post at $1 (a seeded user: the demo password), leaving its
# access token in ACCESS and its refresh token (the page cookie) in REFRESH.
sign_in_seeded_user() {
  local user tokens
  user="$(curl -fs "$1/api/v1/posts?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["posts"][0]["author"]["handle"])')"
  tokens="$(curl -fs -H 'content-type: application/json' \
    -d "{\"email\":\"$user@example.com\",\"password\":\"mublog-demo\"}" "$1/api/v1/token")"
  ACCESS="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_token"])' "$tokens")"
  REFRESH="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["refresh_token"])' "$tokens")"
}
