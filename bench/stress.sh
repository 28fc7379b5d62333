#!/usr/bin/env bash
# Stress: ramps the locust users of bench/locustfile.py (browsers, API clients, job producers, live watchers, every
# answer verified) in steps through Nginx over TLS, one headless locust run per step, and stops at the first step
# whose p99 or error rate crosses its bound. Per step: throughput, p50/p99 overall and per flow, failures, and what
# Tally's own metrics and /proc say about saturation (replicas' and Redis' CPU, the load generator's CPU, event-loop
# delay, Redis pool wait). Prints the table, the knee (the highest throughput within the bounds, overall and per
# flow) and what saturates first; leaves per-step CSVs and stress.png in STRESS_REPORTS/stress-<UTC time>/.
#
#   bench/stress.sh                                         # at most 7 steps of 10 + 30 s plus a 30 s warm-up
#   STRESS_USERS="10 20 40" STRESS_STEP_SECONDS=30 bench/stress.sh
#
# Settings (environment), with defaults: STRESS_USERS (10 20 40 80 160 320 640: the steps), STRESS_STEP_SECONDS (30),
# STRESS_SETTLE_SECONDS (10) and STRESS_SETTLE_MS_PER_USER (60: each step runs 10 s + 60 ms per user longer and
# those first seconds are not counted, since all its users start at once and their TLS handshakes and first requests,
# about 55 ms of the one locust process's time per user, are no steady state: at 320 users they took 18 s, and
# counted they held a quiet machine's p99 at 770 ms where the steady state's was under 100), STRESS_WARMUP_SECONDS (30, at the first step's users, not counted), STRESS_MAX_P99_MS (500),
# STRESS_MAX_ERROR_PCT (1), STRESS_WAIT (seconds between a user's tasks, "min,max", 0.5,1.5), STRESS_REPORTS
# (bench/reports), BENCH_REPLICAS (3) and the ports of bench/lib.sh. Exit 1 if a verification failed (a wrong
# count, a lost job or session), whatever the bounds.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # locust imports the locustfile: no __pycache__ in bench/
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${STRESS_USERS:=10 20 40 80 160 320 640}" "${STRESS_STEP_SECONDS:=30}" "${STRESS_WARMUP_SECONDS:=30}"
: "${STRESS_MAX_P99_MS:=500}" "${STRESS_MAX_ERROR_PCT:=1}" "${STRESS_WAIT:=0.5,1.5}" "${STRESS_SETTLE_SECONDS:=10}"
: "${STRESS_SETTLE_MS_PER_USER:=60}"
: "${STRESS_REPORTS:=$bench_dir/reports}" "${BENCH_PYTHON:=/usr/bin/python3}"
BENCH_REPLICAS=${STRESS_REPLICAS:-3}
BENCH_NGINX=on
bench_settings STRESS_STEP_SECONDS:10 STRESS_SETTLE_SECONDS:0 STRESS_SETTLE_MS_PER_USER:0 STRESS_WARMUP_SECONDS:0 STRESS_MAX_P99_MS:1 BENCH_REPLICAS:1
for users in $STRESS_USERS; do [[ "$users" =~ ^[1-9][0-9]*$ ]] || bench_die "STRESS_USERS must list whole numbers"; done
[[ "$STRESS_MAX_ERROR_PCT" =~ ^[0-9]+(\.[0-9]+)?$ ]] || bench_die "STRESS_MAX_ERROR_PCT must be a number"
bench_need locust:python3-locust redis-cli:redis-tools curl:curl
"$BENCH_PYTHON" -c 'import matplotlib, websocket' 2>/dev/null ||
  bench_die "$BENCH_PYTHON lacks matplotlib or websocket; install with: apt-get install python3-matplotlib python3-websocket"
limit=$(ulimit -n)
max_users=$(printf '%s\n' $STRESS_USERS | sort -n | tail -1)
[ "$limit" = unlimited ] || [ "$limit" -ge $((max_users * 4 + 1000)) ] ||
  bench_die "ulimit -n is $limit; $max_users users need $((max_users * 4 + 1000)) (raise it: ulimit -n 65536)"

report_dir=$STRESS_REPORTS/stress-$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$report_dir"
locust_pid=""
stop_all() {
  [ -z "$locust_pid" ] || { kill -TERM "$locust_pid" 2>/dev/null || true; wait "$locust_pid" 2>/dev/null || true; }
  bench_stack_stop
}
trap stop_all EXIT
trap 'exit 130' INT TERM

load_before=$(uptime)
bench_stack_start
proxy=https://127.0.0.1:$BENCH_HTTPS_PORT
cacert=$bench_run_dir/tls/cert.pem
curl -sSf --max-time 5 --cacert "$cacert" "$proxy/" >/dev/null || bench_die "GET $proxy/ through Nginx failed"
sample() { "$BENCH_PYTHON" "$bench_dir/sampler.py" once "$bench_run_dir" "$BENCH_REPLICAS" "$BENCH_MANAGEMENT_PORT" "$BENCH_REDIS_PORT"; }
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# run_step DIR USERS SECONDS SETTLE: one headless locust run of SETTLE + SECONDS, counted after SETTLE (its users
# all start at once: their TLS handshakes and first requests are not the load's steady state); leaves its CSVs, the
# request log, verify.json (the whole run), before/after samples of the counted part, step.env (the counted part is
# from counted_from to counted_until: the users' final checks after it are verified, not timed).
run_step() {
  local dir=$1 users=$2 seconds=$3 settle=$4 cpu0 cpu1 ticks0 ticks1 locust_cpu counted_from counted_until
  mkdir -p "$dir"
  TALLY_CA=$cacert TALLY_VERIFY_OUT=$dir/verify.json TALLY_RUN_ID=stress$$-${dir##*/} TALLY_WAIT=$STRESS_WAIT \
  TALLY_REQUEST_LOG=$dir/requests.csv \
    locust -f "$bench_dir/locustfile.py" --headless --host "$proxy" -u "$users" -r "$users" -t "$((settle + seconds))s" \
    --stop-timeout 20 --csv "$dir/locust" --loglevel WARNING --logfile "$dir/locust.log" >"$dir/locust.out" 2>&1 &
  locust_pid=$!
  sleep "$settle"
  counted_from=$(date +%s.%N)
  sample >"$dir/before.txt"
  read -r cpu0 ticks0 < <(busy_ticks)
  # The load generator's own CPU, read just before its run ends (a gevent process uses at most one core).
  sleep $((seconds - 2))
  locust_cpu=$(awk -v hz="$(getconf CLK_TCK)" -v s=$((settle + seconds - 2)) '{ sub(/.*\) /, ""); split($0, f, " ");
    printf "%.0f", 100 * (f[12] + f[13]) / hz / s }' "/proc/$locust_pid/stat" 2>/dev/null || echo 0)
  read -r cpu1 ticks1 < <(busy_ticks)
  sample >"$dir/after.txt"
  counted_until=$(date +%s.%N)
  wait "$locust_pid" || true # its exit status is 1 on any failure: the CSVs say which
  locust_pid=""
  echo "users=$users seconds=$seconds settle=$settle counted_from=$counted_from counted_until=$counted_until" \
    "locust_cpu_pct=$locust_cpu" \
    "busy_pct=$(awk -v a=$((cpu1 - cpu0)) -v b=$((ticks1 - ticks0)) 'BEGIN { printf "%.0f", (b > 0) ? 100 * a / b : 0 }')" \
    >"$dir/step.env"
}

first=${STRESS_USERS%% *}
if [ "$STRESS_WARMUP_SECONDS" -gt 0 ]; then
  bench_say "warm-up: $first users for ${STRESS_WARMUP_SECONDS}s (not counted)"
  run_step "$report_dir/warmup" "$first" "$STRESS_WARMUP_SECONDS" 0
fi
verify_failures=0
n=0
for users in $STRESS_USERS; do
  n=$((n + 1))
  dir=$report_dir/step-$(printf '%03d' "$users")
  run_step "$dir" "$users" "$STRESS_STEP_SECONDS" \
    "$((STRESS_SETTLE_SECONDS + (users * STRESS_SETTLE_MS_PER_USER + 999) / 1000))"
  line=$("$BENCH_PYTHON" "$bench_dir/stress_report.py" step "$dir" "$STRESS_MAX_P99_MS" "$STRESS_MAX_ERROR_PCT")
  verify_failures=$((verify_failures + $(bench_field "$line" check_failures)))
  bench_say "step $n: $users users: $(bench_field "$line" rps) req/s, p50 $(bench_field "$line" p50_ms) ms," \
    "p99 $(bench_field "$line" p99_ms) ms, errors $(bench_field "$line" errors_pct)%," \
    "verification failures $(bench_field "$line" check_failures)"
  [ "$(bench_field "$line" pass)" = 1 ] || { bench_say "p99 or errors past the bound: stopping the ramp"; break; }
done
load_after=$(uptime)

echo "## Stress: locust users in steps through Nginx (HTTPS), $BENCH_REPLICAS replicas"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$bench_root" rev-parse --short HEAD)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')); load generator, Nginx," \
  "$BENCH_REPLICAS replicas and Redis share them"
echo "- load before: $load_before"
echo "- load after:  $load_after"
echo "- steps of ${STRESS_STEP_SECONDS}s (one locust run each, users spawned at once, tasks ${STRESS_WAIT} s apart," \
  "counted after its first ${STRESS_SETTLE_SECONDS}s + ${STRESS_SETTLE_MS_PER_USER} ms per user), after ${STRESS_WARMUP_SECONDS}s of warm-up; bounds p99 <= $STRESS_MAX_P99_MS ms, errors <= $STRESS_MAX_ERROR_PCT%"
echo
"$BENCH_PYTHON" "$bench_dir/stress_report.py" knee "$report_dir" "$STRESS_MAX_P99_MS" "$STRESS_MAX_ERROR_PCT"
bench_say "done in ${SECONDS}s"
[ "$verify_failures" -eq 0 ]
