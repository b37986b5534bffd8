# Shared by the benchmark scripts (sourced, not run): a work folder removed at exit, the
# processes started stopped in reverse, a throwaway MariaDB, wrk's figures in milliseconds.
# Expects ROOT and BUILD to be set.
SECONDS_EACH="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-16}"
WORK="$(mktemp -d /tmp/aftersales-bench-XXXXXX)"
# Every process started here signs and checks identities with one key; the gateway runs in
# development mode (loopback only), so wrk needs no token.
export AFTERSALES_IDENTITY_KEY="bench-identity-key-not-a-secret-0123456789"
export AFTERSALES_AUTH_MODE="development"
# wrk is one principal: the per-principal limits would measure themselves.
export AFTERSALES_RATE_LIMIT_PERSON="1000000/1000000"
export AFTERSALES_RATE_LIMIT_SERVICE="1000000/1000000"
PIDS=()
bench_cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; wait "${PIDS[$i]}" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap bench_cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_http URL: until it answers 2xx; a /readyz also until it names no backend down.
wait_http() { for _ in $(seq 1 150); do curl -fsS "$1" 2>/dev/null | grep -qv '"backends_not_serving":\["' && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

# start_mariadb PORT [server flags...]: a fresh data directory under $WORK, on 127.0.0.1.
start_mariadb() {
  local port=$1; shift
  local user_flag
  user_flag=$([ "$(id -u)" -eq 0 ] && echo --user=root || echo --user="$(id -un)")
  mariadb-install-db --no-defaults --datadir="$WORK/data" --auth-root-authentication-method=normal --skip-test-db >"$WORK/install.log" 2>&1
  mariadbd --no-defaults --datadir="$WORK/data" --socket="$WORK/sock" --port="$port" --bind-address=127.0.0.1 \
    "$user_flag" --pid-file="$WORK/pid" "$@" >"$WORK/mariadb.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do mariadb --no-defaults -h127.0.0.1 -P"$port" -uroot -e 'select 1' >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "MariaDB did not start; see $WORK/mariadb.log" >&2; exit 1
}

# wrk prints latency in us/ms/s; normalise to ms.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.2f", v}'; }

# run_wrk NAME URL SCRIPT: sets RATE P50 P99 BAD (non-2xx answers and socket errors).
run_wrk() {
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$3" "$2")
  echo "$out" >"$WORK/$1.wrk"
  RATE=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  P99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  BAD=$(echo "$out" | awk -F= '/non_2xx/ {print $2}')
  if echo "$out" | grep -q "Socket errors"; then BAD=$((BAD + 1)); fi
}

# field LINE KEY: the value of key=value in load_bench's one-line report.
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1==k {print $2}' | sed 's#/s##'; }
