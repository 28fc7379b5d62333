# Shared helpers for the bench/ scripts; source it, do not run it. Everything targets 127.0.0.1 only.
#
#   bench_stack_start / bench_stack_stop   one Tally stack from deploy/local/up, stopped by PID
#   bench_wait_quiet MAX LOAD              waits (up to MAX s) for no Maven build and a 1-minute load below LOAD
#   bench_settings NAME:LEAST...           refuses settings that are not whole numbers >= LEAST
#   bench_wrk SCRIPT URL SECONDS LOG       one wrk run; prints the "bench:" line of bench/wrk/report.lua
#   bench_increment URL READ_URL SECONDS LOG   wrk increments on one counter, then checks its value
#   bench_warm_up ROUNDS SECONDS INC URL LOG   warm-up rounds of increments then GET, checked, not counted
#   bench_check WHAT LINE                  records non-2xx, socket errors, counter mismatches in bench_defects
#   bench_redis_incr PORT CLIENTS N LOG    one redis-benchmark INCR run; prints "rps=.. p50_ms=.. p99_ms=.."
#   bench_hey LOG HEY_ARGS...              one hey run; prints "requests=.. p50_ms=.. p99_ms=.. max_ms=.. non2xx=.."
#   bench_metric NAME                      a replica-1 metric's value (sum of its series) from its management port
#   bench_rss_mib PID                      a process's resident memory in MiB
#   bench_scratch NAME, bench_redis_start DIR, bench_app_start URL LOG CMD..., bench_app_stop, bench_stop PID,
#   bench_ports_free PORT...               for scripts that start their own processes (a temporary directory,
#                                          Redis, an app timed to ready, cleanup on exit)
#   bench_quarkus_version, bench_build_peer NAME DIR ARTIFACT MAVEN_ARGS...   the peers' Quarkus, a peer's build
#   bench_cpu_mark / bench_cpu_others MARK  how busy the machine was, and how much of it was not this benchmark
#   bench_field LINE KEY, bench_median N.., bench_ratio A B, bench_machine
#
# The stack grants anonymous callers every scope (BENCH_ANONYMOUS_SCOPES overrides; docs/security.md), so the
# scripts measure the service, not its refusals; bench/increments.sh with BENCH_AUTH=key measures with a key.
# Settings (environment), with defaults: BENCH_PORT (18180), BENCH_MANAGEMENT_PORT (19180),
# BENCH_REDIS_PORT (16479), BENCH_REPLICAS (1), BENCH_NGINX (off; on puts Nginx with TLS on BENCH_HTTPS_PORT,
# 18543, and BENCH_HTTP_PORT, 18100, with its rate limit lifted), BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
# BENCH_START_TIMEOUT (120 s, includes a build by the launcher if the jar is stale), BENCH_KEEP_RUN_DIR (unset),
# BENCH_REDIS_URL (unset: the launcher starts Redis; set: the replicas use that Redis, which the caller runs).

# The helpers run inside $(...); make a failure there stop the caller as it would outside (bash >= 4.4).
shopt -s inherit_errexit

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(cd "$bench_dir/.." && pwd)

BENCH_PORT=${BENCH_PORT:-18180}
BENCH_MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-19180}
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-16479}
BENCH_REPLICAS=${BENCH_REPLICAS:-1}
BENCH_NGINX=${BENCH_NGINX:-off}
BENCH_HTTPS_PORT=${BENCH_HTTPS_PORT:-18543}
BENCH_HTTP_PORT=${BENCH_HTTP_PORT:-18100}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_WRK_THREADS=${BENCH_WRK_THREADS:-2}
BENCH_START_TIMEOUT=${BENCH_START_TIMEOUT:-120}
# What an anonymous caller may do on a replica a bench script starts: everything the routes it measures need.
bench_anonymous_scopes=${BENCH_ANONYMOUS_SCOPES:-counters:read,counters:write,counters:admin,jobs:submit,jobs:admin,work}

bench_say() { printf 'bench: %s\n' "$*" >&2; }
bench_die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# bench_need BINARY:DEBIAN_PACKAGE... refuses to go on if any tool is missing, naming the packages.
bench_need() {
  local tool missing=() packages=()
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null 2>&1 && continue
    missing+=("${tool%%:*}")
    packages+=("${tool#*:}")
  done
  [ ${#missing[@]} -eq 0 ] ||
    bench_die "missing ${missing[*]}; install with: apt-get install ${packages[*]}"
}

bench_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# bench_ports_free PORT...: dies naming the first one in use.
bench_ports_free() {
  local port
  for port in "$@"; do bench_port_free "$port" || bench_die "port $port is in use"; done
}

# bench_redis_start DIR: a redis-server of the script's own on BENCH_REDIS_PORT (no persistence; its log in DIR),
# for scripts that start their apps themselves instead of a stack; its pid in bench_redis_pid.
bench_redis_start() {
  redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$1" \
    --logfile "$1/redis.log" &
  bench_redis_pid=$!
  until redis-cli -p "$BENCH_REDIS_PORT" ping >/dev/null 2>&1; do
    kill -0 "$bench_redis_pid" 2>/dev/null || bench_die "redis-server did not start; see $1/redis.log"
    sleep 0.1
  done
}

# bench_stop PID: SIGTERM to PID, if one is given, and waits for it.
bench_stop() { [ -z "$1" ] || { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }

# bench_scratch NAME: for a script that starts its own processes: a temporary directory (bench_scratch_dir) and an
# exit trap that stops bench_app_pid (the app it runs at the moment, if any) and bench_redis_pid, then removes it.
bench_app_pid=""
bench_scratch() {
  bench_scratch_dir=$(mktemp -d "${TMPDIR:-/tmp}/tally-$1.XXXXXX")
  trap 'bench_stop "$bench_app_pid"; bench_stop "$bench_redis_pid"; rm -rf "$bench_scratch_dir"' EXIT
  trap 'exit 130' INT TERM
}

# bench_app_start READY_URL LOG COMMAND...: starts COMMAND in the background (its pid in bench_app_pid, its output
# in LOG), polls READY_URL every 20 ms until it answers 2xx (dies if the process exits first), then sets
# bench_app_ready to "ready_ms=.. cpu_ms=..": the time from the start and the CPU the process used until then
# (utime + stime, fields 14 and 15 of /proc/PID/stat, 12 and 13 after the name). bench_app_stop stops it; called
# in $(...), the pid stays in that subshell, which must stop the app itself (bench_scratch's trap cannot).
bench_app_start() {
  local url=$1 log=$2 start now
  shift 2
  start=$(date +%s%N)
  "$@" >"$log" 2>&1 &
  bench_app_pid=$!
  until curl -sf -o /dev/null "$url"; do
    kill -0 "$bench_app_pid" 2>/dev/null || bench_die "$1 ... exited before $url answered; see $log"
    sleep 0.02
  done
  now=$(date +%s%N)
  bench_app_ready="ready_ms=$(((now - start) / 1000000)) cpu_ms=$(sed 's/.*) //' "/proc/$bench_app_pid/stat" |
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($12 + $13) * 1000 / hz }')"
}
bench_app_stop() { bench_stop "$bench_app_pid"; bench_app_pid=""; }

# bench_quarkus_version: the Quarkus platform version Tally's pom names (the peers are built with it).
bench_quarkus_version() {
  sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' "$bench_root/pom.xml"
}

# bench_build_peer NAME DIR ARTIFACT MAVEN_ARGS...: builds a peer's Maven project (bench/peer/*) with the JDK in
# java_home unless ARTIFACT is newer than its sources.
bench_build_peer() {
  local name=$1 dir=$2 artifact=$3
  shift 3
  if [ ! -f "$artifact" ] || [ -n "$(find "$dir/src" "$dir/pom.xml" -newer "$artifact" -print -quit)" ]; then
    bench_say "building the $name peer ($dir; the first time may download from Maven Central)..."
    (cd "$dir" && JAVA_HOME=$java_home timeout 900 "$bench_root/mvnw" -B -q -f pom.xml package -DskipTests "$@") >&2 ||
      bench_die "the $name peer did not build"
  fi
}

bench_stack_pid=""
bench_run_dir=""
bench_replica_pid=""
bench_replica_pids=""
bench_redis_pid=""
bench_nginx_pid=""
bench_defects=()

# bench_settings NAME:LEAST...: each named setting must be a whole number >= LEAST.
bench_settings() {
  local setting name least
  for setting in "$@"; do
    name=${setting%%:*} least=${setting#*:}
    [[ "${!name}" =~ ^[0-9]+$ ]] && [ "${!name}" -ge "$least" ] ||
      bench_die "$name must be a whole number >= $least, got '${!name}'"
  done
}

# bench_wait_quiet MAX_SECONDS LOAD: polls every 10 s until no Maven build runs (no process matching
# plexus-classworlds) and the 1-minute load average is below LOAD, for at most MAX_SECONDS (0: one look, no
# wait). Only looks, never touches other processes. Prints one line saying what it found, for the results.
bench_wait_quiet() {
  local max=$1 limit=$2 start=$SECONDS load maven
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    maven=$(pgrep -f plexus-classworlds | tr '\n' ' ' || true)
    if [ -z "$maven" ] && awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l < m) }'; then
      echo "quiet window found after $((SECONDS - start))s of waiting (1-minute load $load < $limit, no Maven process)"
      return 0
    fi
    if [ $((SECONDS - start)) -ge "$max" ]; then
      echo "NO quiet window within ${max}s: ran anyway (1-minute load $load, limit $limit;" \
        "Maven processes: ${maven:-none})"
      return 0
    fi
    bench_say "waiting for a quiet window ($((SECONDS - start))/${max}s): load $load (want < $limit), Maven pids: ${maven:-none}"
    sleep 10
  done
}

# Starts deploy/local/up in a fresh temporary run dir and returns once it reports ready.
# Must not run in a subshell: the launcher has to stay a child of the calling shell.
bench_stack_start() {
  local port i
  for ((i = 0; i < BENCH_REPLICAS; i++)); do
    for port in $((BENCH_PORT + i)) $((BENCH_MANAGEMENT_PORT + i)); do
      bench_port_free "$port" ||
        bench_die "port $port is in use; pick free ones with BENCH_PORT / BENCH_MANAGEMENT_PORT"
    done
  done
  [ -n "${BENCH_REDIS_URL:-}" ] || bench_port_free "$BENCH_REDIS_PORT" ||
    bench_die "port $BENCH_REDIS_PORT is in use; set BENCH_REDIS_PORT"
  if [ "$BENCH_NGINX" = on ]; then
    for port in "$BENCH_HTTPS_PORT" "$BENCH_HTTP_PORT"; do
      bench_port_free "$port" || bench_die "port $port is in use; set BENCH_HTTPS_PORT / BENCH_HTTP_PORT"
    done
  fi

  bench_run_dir=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
  # QUARKUS_*_HOST reach the replicas through the launcher's environment: listen on loopback only.
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
  TALLY_PORT=$BENCH_PORT TALLY_MANAGEMENT_PORT=$BENCH_MANAGEMENT_PORT TALLY_REDIS_PORT=$BENCH_REDIS_PORT \
  TALLY_REDIS_URL=${BENCH_REDIS_URL:-} \
  TALLY_REPLICAS=$BENCH_REPLICAS TALLY_RUN_DIR=$bench_run_dir TALLY_INSTANCE_PREFIX=bench \
  TALLY_NGINX=$BENCH_NGINX TALLY_HTTPS_PORT=$BENCH_HTTPS_PORT TALLY_HTTP_PORT=$BENCH_HTTP_PORT \
  TALLY_RATE_LIMIT=1000000r/s TALLY_RATE_BURST=1000000 \
  TALLY_WRITE_RATE_LIMIT=1000000r/s TALLY_WRITE_RATE_BURST=1000000 TALLY_CONN_LIMIT=60000 TALLY_LIVE_CONN_LIMIT=60000 \
  TALLY_AUTH_QUOTA_KEY_RATE=${BENCH_QUOTA_RATE:-1000000} TALLY_AUTH_QUOTA_ANONYMOUS_RATE=${BENCH_QUOTA_RATE:-1000000} \
  TALLY_AUTH_ANONYMOUS_SCOPES=$bench_anonymous_scopes \
    "$bench_root/deploy/local/up" >"$bench_run_dir/up.log" 2>&1 &
  bench_stack_pid=$!
  bench_say "starting the stack (deploy/local/up, pid $bench_stack_pid, run dir $bench_run_dir)"

  local deadline=$((SECONDS + BENCH_START_TIMEOUT))
  until grep -q '^tally: ready' "$bench_run_dir/up.log"; do
    if ! kill -0 "$bench_stack_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      sed 's/^/  up: /' "$bench_run_dir/up.log" >&2
      bench_die "the stack did not become ready within ${BENCH_START_TIMEOUT}s; logs in $bench_run_dir"
    fi
    sleep 0.2
  done
  bench_replica_pid=$(sed -n 's/^tally: replica 1 (pid \([0-9]*\)).*/\1/p' "$bench_run_dir/up.log")
  bench_replica_pids=$(sed -n 's/^tally: replica [0-9]* (pid \([0-9]*\)).*/\1/p' "$bench_run_dir/up.log" | tr '\n' ' ')
  bench_redis_pid=$(sed -n 's/^tally: redis-server (pid \([0-9]*\)).*/\1/p' "$bench_run_dir/up.log")
  bench_nginx_pid=$(sed -n 's/^tally: nginx (pid \([0-9]*\)).*/\1/p' "$bench_run_dir/up.log")
  local more=""
  [ "$BENCH_REPLICAS" -eq 1 ] || more+=", $BENCH_REPLICAS replicas (pids $bench_replica_pids)"
  [ -z "$bench_nginx_pid" ] || more+=", nginx (pid $bench_nginx_pid) on https://127.0.0.1:$BENCH_HTTPS_PORT"
  bench_say "ready: replica 1 (pid $bench_replica_pid) on http://127.0.0.1:$BENCH_PORT, redis on port $BENCH_REDIS_PORT$more"
}

# Stops the launcher by PID (it stops its replicas, then Redis). Safe to call twice or before a start.
# The run dir is removed unless BENCH_KEEP_RUN_DIR is set or the stack failed to stop cleanly.
bench_stack_stop() {
  [ -n "$bench_stack_pid" ] || return 0
  local pid=$bench_stack_pid deadline=$((SECONDS + 30))
  bench_stack_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    bench_say "the launcher (pid $pid) did not stop within 30s; killing it and its processes by PID"
    local child workers=""
    [ -z "$bench_nginx_pid" ] || workers=$(pgrep -P "$bench_nginx_pid" || true)
    for child in $(sed -n 's/^tally: .*(pid \([0-9]*\)).*/\1/p' "$bench_run_dir/up.log") $workers "$pid"; do
      kill -KILL "$child" 2>/dev/null || true
    done
    BENCH_KEEP_RUN_DIR=1
  fi
  wait "$pid" 2>/dev/null || true
  if [ -n "${BENCH_KEEP_RUN_DIR:-}" ]; then
    bench_say "stack stopped; logs kept in $bench_run_dir"
  else
    rm -rf "$bench_run_dir"
    bench_say "stack stopped"
  fi
}

# bench_wrk SCRIPT URL SECONDS LOG: runs wrk (BENCH_WRK_THREADS threads, BENCH_CONNECTIONS connections) with a
# bench/wrk script, appends its full output to LOG and prints report.lua's summary line (without "bench: ").
bench_wrk() {
  local out
  out=$(wrk -t "$BENCH_WRK_THREADS" -c "$BENCH_CONNECTIONS" -d "${3}s" -s "$bench_dir/wrk/$1" "$2" 2>&1) ||
    { printf '%s\n' "$out" >&2; bench_die "wrk failed against $2"; }
  printf '%s\n' "$out" >>"$4"
  printf '%s\n' "$out" | sed -n 's/^bench: //p'
}

# bench_increment URL READ_URL SECONDS LOG: wrk POSTs to URL/increment (a counter's URL) for SECONDS, then
# reads the counter at READ_URL (plain HTTP, any replica) and prints the wrk summary line plus
# counter=VALUE unaccounted=(counter value - 2xx responses): requests still in flight when wrk stopped, which the
# server completed but wrk did not count; 0..connections (+ socket errors) is consistent.
bench_increment() {
  local line ok value
  line=$(bench_wrk increment.lua "$1/increment" "$3" "$4")
  sleep 0.5 # let the last in-flight requests finish
  value=$(curl -sf "$2" | sed -n 's/.*"value":\(-\{0,1\}[0-9]*\).*/\1/p')
  ok=$(($(bench_field "$line" requests) - $(bench_field "$line" non2xx)))
  echo "$line counter=${value:-?} unaccounted=$((${value:-0} - ok))"
}

# bench_warm_up ROUNDS SECONDS INCREMENT GET_URL LOG: ROUNDS warm-up rounds, each SECONDS of increments
# (INCREMENT ID SECONDS, a function printing a bench_increment line) then of GET_URL, checked, not counted.
# Must run in the calling shell (bench_check records defects there).
bench_warm_up() {
  local r line inc_rps
  for ((r = 1; r <= $1; r++)); do
    line=$("$3" "w$r" "$2"); bench_check "warm-up $r increment" "$line"
    inc_rps=$(bench_field "$line" rps)
    line=$(bench_wrk get.lua "$4" "$2" "$5"); bench_check "warm-up $r GET /" "$line"
    bench_say "warm-up $r/$1 (${2}s each, not counted): increment $inc_rps req/s, GET / $(bench_field "$line" rps) req/s"
  done
}

# bench_check WHAT LINE: records every non-2xx response, socket error and counter mismatch of a wrk summary line
# in bench_defects (must run in the calling shell, not in $(...)).
bench_check() {
  local non2xx errors unaccounted
  non2xx=$(bench_field "$2" non2xx)
  errors=$(bench_field "$2" socket_errors)
  unaccounted=$(bench_field "$2" unaccounted)
  [ "$non2xx" -eq 0 ] || bench_defects+=("$1: $non2xx non-2xx responses ($(bench_field "$2" statuses))")
  [ "$errors" -eq 0 ] || bench_defects+=("$1: $errors socket errors (connect/read/write/timeout)")
  if [ -n "$unaccounted" ] && { [ "$unaccounted" -lt 0 ] || [ "$unaccounted" -gt $((BENCH_CONNECTIONS + errors)) ]; }; then
    bench_defects+=("$1: counter is $(bench_field "$2" counter), $unaccounted more than the 2xx responses (expected 0..$((BENCH_CONNECTIONS + errors)))")
  fi
}

# bench_redis_incr PORT CLIENTS REQUESTS LOG: one redis-benchmark INCR run on 127.0.0.1.
bench_redis_incr() {
  local out
  out=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$1" -t incr -c "$2" -n "$3" --csv 2>&1) ||
    { printf '%s\n' "$out" >&2; bench_die "redis-benchmark failed on port $1"; }
  printf '%s\n' "$out" >>"$4"
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",...
  printf '%s\n' "$out" | awk -F'"' '$2 == "INCR" { printf "rps=%s p50_ms=%s p99_ms=%s\n", $4, $10, $14 }'
}

# bench_hey LOG HEY_ARGS...: runs hey with its summary output, appends it to LOG and prints one line:
# requests=N p50_ms=X p99_ms=Y max_ms=Z non2xx=N errors=N statuses=503:12,... (errors: no HTTP answer at all).
bench_hey() {
  local log=$1 out
  shift
  out=$(hey "$@" 2>&1) || { printf '%s\n' "$out" >&2; bench_die "hey failed: hey $*"; }
  printf '%s\n' "$out" >>"$log"
  printf '%s\n' "$out" | awk '
    /^Latency distribution:/ { section = "lat"; next }
    /^Status code distribution:/ { section = "status"; next }
    /^Error distribution:/ { section = "error"; next }
    /^ *Slowest:/ { max = $2 * 1000 }
    section == "lat" && /% in/ { sub("%", "", $1); p[$1] = $3 * 1000 }
    section == "status" && /^ *\[[0-9]+\]/ {
      code = substr($1, 2, length($1) - 2); n += $2
      if (code < 200 || code > 299) { bad += $2; listed = listed sep code ":" $2; sep = "," } }
    section == "error" && /^ *\[[0-9]+\]/ { errors += substr($1, 2, length($1) - 2) }
    END { printf "requests=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d errors=%d statuses=%s\n",
            n, p["50"], p["99"], max, bad, errors, (listed == "") ? "-" : listed }'
}

# bench_ops_curl URL...: curl with the ops token the launcher made for this stack (/q/metrics and /ops need it).
bench_ops_curl() { curl -sf -H "Authorization: Bearer $(cat "$bench_run_dir/ops-token")" "$@"; }

# bench_metric NAME: the sum of every series of a Prometheus metric on replica 1's management port.
bench_metric() {
  bench_ops_curl "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/q/metrics" |
    awk -v m="$1" 'index($0, m " ") == 1 || index($0, m "{") == 1 { s += $NF } END { printf "%.0f\n", s }'
}

# bench_rss_mib PID: resident set size in MiB (VmRSS).
bench_rss_mib() { awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"; }

# bench_cpu_mark: "WALL BUSY OWN" in clock ticks: wall time since boot (all cores), busy CPU time of the whole
# machine, and CPU time of this benchmark: the launcher, the replicas, redis-server, Nginx (master and workers),
# this shell and the tools it has waited for (wrk, redis-benchmark, curl). Fields of /proc/PID/stat after the
# name: utime, stime, cutime, cstime = $12..$15.
bench_cpu_mark() {
  local pid own=0 pids
  pids="$bench_stack_pid $bench_replica_pids $bench_replica_pid $bench_redis_pid $bench_nginx_pid"
  [ -n "$bench_nginx_pid" ] && pids+=" $(pgrep -P "$bench_nginx_pid" | tr '\n' ' ' || true)"
  for pid in $(printf '%s\n' $pids | sort -u); do
    [ -r "/proc/$pid/stat" ] && own=$((own + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
  done
  own=$((own + $(sed 's/.*) //' /proc/$$/stat | awk '{ print $12 + $13 + $14 + $15 }'))) # with reaped children
  awk -v own="$own" -v cores="$(nproc)" -v hz="$(getconf CLK_TCK)" '
    FILENAME == "/proc/uptime" { wall = $1 * hz * cores }
    FILENAME == "/proc/stat" && $1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8 + $9 }
    END { printf "%d %d %d\n", wall, busy, own }' /proc/uptime /proc/stat
}

# bench_cpu_others MARK: "busy=B% others=O%": shares of the machine's CPU since MARK (a bench_cpu_mark), in
# total and used by processes that are not this benchmark (other builds or services on the machine).
bench_cpu_others() {
  local now
  now=$(bench_cpu_mark)
  awk -v a="$1" -v b="$now" 'BEGIN { split(a, x); split(b, y); wall = y[1] - x[1]
    printf "busy=%.0f%% others=%.0f%%\n", 100 * (y[2] - x[2]) / wall, 100 * (y[2] - x[2] - (y[3] - x[3])) / wall }'
}

# bench_field "k1=v1 k2=v2" k2 -> v2
bench_field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# bench_median N... -> the median (the mean of the middle two for an even count).
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B -> A / B with two decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# The machine, load and software a result belongs to (markdown list).
bench_machine() {
  local java
  java=$(readlink -e "/proc/${bench_replica_pid:-none}/exe" 2>/dev/null || command -v java)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM (free -g)"
  echo "- JDK: $("$java" -version 2>&1 | sed -n 2p) ($java)"
  echo "- commit: $(git -C "$bench_root" rev-parse --short HEAD) (service code last changed in" \
    "$(git -C "$bench_root" log -1 --format=%h -- src pom.xml)$(git -C "$bench_root" diff --quiet HEAD -- src pom.xml ||
      echo ', plus uncommitted changes'))"
  echo "- tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), redis-benchmark $(redis-benchmark --version | cut -d' ' -f2), redis-server $(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')"
}

# bench_finish: the closing lines of a report (errors: none, or each defect); fails the script on a defect.
bench_finish() {
  if [ ${#bench_defects[@]} -eq 0 ]; then
    echo "- errors: none (every response 2xx, no socket errors, every counter matches its responses)"
  else
    echo "- **DEFECTS**:"
    printf '  - %s\n' "${bench_defects[@]}"
  fi
  bench_say "done in ${SECONDS}s"
  [ ${#bench_defects[@]} -eq 0 ]
}

# bench_conditions BEFORE AFTER CPU_MARK_RESULT WHO: the report's lines on how busy the machine was
# (uptime before and after, and the CPU share of processes other than WHO, the benchmark's own processes).
bench_conditions() {
  echo "- load before: $1"
  echo "- load after:  $2 (includes this benchmark's own load)"
  echo "- CPU during the measured rounds: $(bench_field "$3" busy) of the machine busy," \
    "$(bench_field "$3" others) used by processes other than this benchmark ($4)"
}
