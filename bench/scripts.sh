#!/usr/bin/env bash
# What Tally's per-request Lua scripts cost Redis itself: redis-benchmark runs each of them with EVALSHA on a fresh
# redis-server of its own, beside the single command each replaces (INCR), rounds interleaved. No replica: this is
# Redis' side of a request only, the part no change in Java can win back. See bench/README.md.
#
#   bench/scripts.sh          # ~1 minute with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_ROUNDS (3), BENCH_REDIS_CLIENTS (50, redis-benchmark -c),
# BENCH_REDIS_REQUESTS (300000 per command and round), BENCH_REDIS_PORT (16479). Exits 1 if Redis refuses a script.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_ROUNDS:=3}" "${BENCH_REDIS_CLIENTS:=50}" "${BENCH_REDIS_REQUESTS:=300000}"
bench_settings BENCH_ROUNDS:1 BENCH_REDIS_CLIENTS:1 BENCH_REDIS_REQUESTS:1000
bench_need redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools
bench_port_free "$BENCH_REDIS_PORT" || bench_die "port $BENCH_REDIS_PORT is in use; set BENCH_REDIS_PORT"
lua=$bench_root/src/main/resources/lua

work=$(mktemp -d /tmp/tally-scripts.XXXXXX)
redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
redis() { redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" "$@"; }
until redis PING >/dev/null 2>&1; do
  kill -0 "$redis_pid" 2>/dev/null || bench_die "redis-server did not start; see $work/redis.log"
  sleep 0.05
done
sha() { redis SCRIPT LOAD "$(cat "$lua/$1.lua")"; }

# The commands, NAME|ARGS: one hot counter (the worst case for a counter, and what bench/peer.sh measures), keys
# and arguments as the replicas send them (counter/CounterStore, auth/QuotaCounter with a batch of one).
commands=(
  "INCR (the reference)|INCR bench:{c}:value"
  "counter_increment.lua (an increment: INCRBY, GET, INCR of the version, SPUBLISH)|EVALSHA $(sha counter_increment) 2 bench:{c}:value bench:{c}:version 1 bench:{c}:changes"
  "auth_quota.lua (the quota's count of one request: INCRBY, PTTL)|EVALSHA $(sha auth_quota) 1 bench:{q}:window 1000 1"
)
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086 # the arguments are words without spaces
  redis ${c#*|} >/dev/null || bench_die "Redis refused: ${c#*|}"
done

# run ARGS: one redis-benchmark run of one command; prints "rps=.. p50_ms=.. p99_ms=..".
run() {
  # shellcheck disable=SC2086
  timeout 120 redis-benchmark -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -c "$BENCH_REDIS_CLIENTS" \
    -n "$BENCH_REDIS_REQUESTS" --csv $1 2>&1 |
    awk -F'"' 'NR == 2 { printf "rps=%s p50_ms=%s p99_ms=%s\n", $4, $10, $14 }'
}

declare -A result
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  for i in "${!commands[@]}"; do
    result[$i,$r]=$(run "${commands[i]#*|}")
    [ -n "$(bench_field "${result[$i,$r]}" rps)" ] || bench_die "redis-benchmark gave no result for ${commands[i]%%|*}"
  done
  bench_say "round $r/$BENCH_ROUNDS: $(for i in "${!commands[@]}"; do printf '%s/s ' "$(bench_field "${result[$i,$r]}" rps)"; done)"
done

median() {
  local r
  bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${result[$1,$r]}" "$2"; done)
}
incr=$(median 0 rps)
echo "## Redis' own cost of Tally's per-request scripts (bench/scripts.sh)"
echo
bench_machine
echo "- redis-benchmark -c $BENCH_REDIS_CLIENTS -n $BENCH_REDIS_REQUESTS per command, $BENCH_ROUNDS rounds interleaved," \
  "one key per command (a hot counter), a fresh redis-server (no persistence); medians"
echo
echo "| command | calls/s | p50 ms | p99 ms | ÷ INCR |"
echo "|---|---:|---:|---:|---:|"
for i in "${!commands[@]}"; do
  printf '| %s | **%.0f** | %s | %s | %s |\n' "${commands[i]%%|*}" "$(median "$i" rps)" "$(median "$i" p50_ms)" \
    "$(median "$i" p99_ms)" "$(bench_ratio "$(median "$i" rps)" "$incr")"
done
bench_say "done in ${SECONDS}s"
