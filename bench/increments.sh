#!/usr/bin/env bash
# Tally increments per second on one replica, side by side with the replica's own GET / ceiling and with
# redis-benchmark INCR on the same redis-server, all in one run on this machine. See bench/README.md.
#
#   bench/increments.sh                 # ~3 minutes with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_WARMUP_ROUNDS (3), BENCH_WARMUP_SECONDS (10), BENCH_ROUNDS (3),
# BENCH_SECONDS (10), BENCH_CONNECTIONS (64, wrk), BENCH_REDIS_CLIENTS (50), BENCH_REDIS_REQUESTS (500000),
# BENCH_AUTH (anonymous; key: every increment carries an API key with counters:write, made at the start),
# and the ports and others listed in bench/lib.sh. Exits 1 if any response was not 2xx, any socket error
# occurred, or a counter disagrees with the responses; the 50% aim is reported, not enforced.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}"
: "${BENCH_REDIS_CLIENTS:=50}" "${BENCH_REDIS_REQUESTS:=500000}"
aim=0.50

bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_WARMUP_SECONDS:1 BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_REDIS_CLIENTS:1 \
  BENCH_REDIS_REQUESTS:1 BENCH_CONNECTIONS:1 BENCH_WRK_THREADS:1
[ "$BENCH_CONNECTIONS" -ge "$BENCH_WRK_THREADS" ] || bench_die "BENCH_CONNECTIONS must be >= BENCH_WRK_THREADS"
bench_need wrk:wrk redis-benchmark:redis-tools curl:curl

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

load_before=$(uptime)
bench_say "estimated time: ~$((BENCH_WARMUP_ROUNDS * 2 * BENCH_WARMUP_SECONDS + BENCH_ROUNDS * (2 * BENCH_SECONDS + 10) + 10))s"
bench_stack_start
base=http://127.0.0.1:$BENCH_PORT
case "${BENCH_AUTH:-anonymous}" in
  anonymous) ;;
  key)
    key=$(bench_ops_curl -X POST "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/ops/api-keys" -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench-$$\",\"scopes\":[\"counters:write\"]}" | sed 's/.*"key":"\([^"]*\)".*/\1/') ||
      bench_die "could not create an API key on the management port"
    export BENCH_AUTHORIZATION="Bearer $key"
    bench_say "increments carry an API key (BENCH_AUTH=key)" ;;
  *) bench_die "BENCH_AUTH must be anonymous or key, got '$BENCH_AUTH'" ;;
esac
raw=$bench_run_dir/bench-raw.log

# increment ROUND_ID SECONDS: POSTs to a fresh counter, then checks it against the responses (bench/lib.sh).
increment() { bench_increment "$base/api/v1/counters/bench-$$-$1" "$base/api/v1/counters/bench-$$-$1" "$2" "$raw"; }
check() { bench_check "$@"; }

bench_warm_up "$BENCH_WARMUP_ROUNDS" "$BENCH_WARMUP_SECONDS" increment "$base/" "$raw"

inc=() get=() red=()
cpu_mark=$(bench_cpu_mark)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  inc[r]=$(increment "m$r" "$BENCH_SECONDS"); check "round $r increment" "${inc[r]}"
  get[r]=$(bench_wrk get.lua "$base/" "$BENCH_SECONDS" "$raw"); check "round $r GET /" "${get[r]}"
  red[r]=$(bench_redis_incr "$BENCH_REDIS_PORT" "$BENCH_REDIS_CLIENTS" "$BENCH_REDIS_REQUESTS" "$raw")
  bench_say "round $r/$BENCH_ROUNDS: increment $(bench_field "${inc[r]}" rps) req/s, GET / $(bench_field "${get[r]}" rps) req/s, redis-benchmark INCR $(bench_field "${red[r]}" rps)/s"
done
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")

# row LABEL FORMAT ARRAY KEY [sum]: one table row, the rounds then their median (or sum).
row() {
  local -n lines=$3
  local values=() r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${lines[r]}" "$4")"); done
  printf '| %s |' "$1"
  printf " $2 |" "${values[@]}"
  if [ "${5:-}" = sum ]; then
    printf " **$2** |\n" "$(printf '%s\n' "${values[@]}" | awk '{ s += $1 } END { print s }')"
  else
    printf " **$2** |\n" "$(bench_median "${values[@]}")"
  fi
}

inc_median=$(bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${inc[r]}" rps; done))
get_median=$(bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${get[r]}" rps; done))
red_median=$(bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${red[r]}" rps; done))
inc_vs_get=$(bench_ratio "$inc_median" "$get_median")
inc_vs_redis=$(bench_ratio "$inc_median" "$red_median")
verdict=$(awk -v r="$inc_vs_get" -v aim=$aim 'BEGIN { print (r >= aim) ? "met" : "NOT met" }')

echo "## Tally increments on one replica vs GET / and redis-benchmark INCR"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "replica, Redis, wrk, redis-benchmark"
load1=$(sed 's/.*load average: \([0-9.]*\),.*/\1/' <<<"$load_before")
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "- note: the 1-minute load was $load1 before the start: other work was running on this machine, so the" \
    "figures are lower and noisier than on an idle one (the ratios, measured side by side, suffer less)"
fi
echo "- warm-up: $BENCH_WARMUP_ROUNDS x ${BENCH_WARMUP_SECONDS}s of increment then GET / on the same JVM, not counted"
echo "- measured: $BENCH_ROUNDS rounds, each ${BENCH_SECONDS}s increment, ${BENCH_SECONDS}s GET /, then redis-benchmark -n $BENCH_REDIS_REQUESTS;" \
  "wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS, redis-benchmark -c $BENCH_REDIS_CLIENTS; medians in bold"
echo
printf '| |'; for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf ' round %d |' "$r"; done; echo ' median / total |'
printf '|---|'; for ((r = 0; r <= BENCH_ROUNDS; r++)); do printf -- '---:|'; done; echo
row "Tally POST increment, req/s" "%.0f" inc rps
row "increment p50 ms" "%.2f" inc p50_ms
row "increment p99 ms" "%.2f" inc p99_ms
row "increment non-2xx" "%d" inc non2xx sum
row "increment socket errors" "%d" inc socket_errors sum
row "counter value - 2xx (in flight at stop, 0..$BENCH_CONNECTIONS)" "%d" inc unaccounted
row "Tally GET /, req/s" "%.0f" get rps
row "GET / p50 ms" "%.2f" get p50_ms
row "GET / p99 ms" "%.2f" get p99_ms
row "GET / non-2xx" "%d" get non2xx sum
row "redis-benchmark INCR, req/s" "%.0f" red rps
row "INCR p50 ms" "%.2f" red p50_ms
row "INCR p99 ms" "%.2f" red p99_ms
echo
echo "- increments / GET / = **$inc_vs_get** (aim >= $aim: **$verdict**)"
echo "- increments / redis-benchmark INCR = **$inc_vs_redis**"
bench_finish
