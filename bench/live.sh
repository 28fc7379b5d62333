#!/usr/bin/env bash
# Live feeds on one replica: BENCH_SOCKETS WebSockets watch one counter while a steady increment load runs;
# records the replica's RSS (idle, with the sockets, after the load), the updates per second delivered to all
# sockets, and the delay from sending an increment to a socket seeing its value (p50, p99, max). The load
# client is bench/LiveLoad.java, run by the JDK's source launcher (no dependencies). See bench/README.md.
#
#   bench/live.sh                       # ~2 minutes with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_SOCKETS (5000), BENCH_RATES (10 40 100: increments/s, one round
# each, lowest first), BENCH_WARMUP_SECONDS (10), BENCH_SECONDS (20), and the ports listed in bench/lib.sh.
# Needs an open-file limit above BENCH_SOCKETS * 2 + 1000 (client and replica run here; checked with ulimit -n).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_SOCKETS:=5000}" "${BENCH_RATES:=10 40 100}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_SECONDS:=20}"
bench_settings BENCH_SOCKETS:1 BENCH_WARMUP_SECONDS:1 BENCH_SECONDS:1
for rate in $BENCH_RATES; do [[ "$rate" =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_RATES must list whole numbers"; done
bench_need curl:curl redis-benchmark:redis-tools wrk:wrk
limit=$(ulimit -n)
[ "$limit" = unlimited ] || [ "$limit" -ge $((BENCH_SOCKETS * 2 + 1000)) ] ||
  bench_die "ulimit -n is $limit; ${BENCH_SOCKETS} sockets need $((BENCH_SOCKETS * 2 + 1000)) (raise it: ulimit -n 65536)"

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

load_before=$(uptime)
bench_stack_start
java=$(readlink -e "/proc/$bench_replica_pid/exe")
lines=()
cpu_mark=$(bench_cpu_mark)
for rate in $BENCH_RATES; do
  bench_say "round at $rate increments/s: $BENCH_SOCKETS sockets, ${BENCH_WARMUP_SECONDS}s warm-up, ${BENCH_SECONDS}s measured"
  line=$("$java" -Xmx1g "$bench_dir/LiveLoad.java" "http://127.0.0.1:$BENCH_PORT" \
    "http://127.0.0.1:$BENCH_MANAGEMENT_PORT" "$bench_replica_pid" "$BENCH_SOCKETS" "$rate" \
    "$BENCH_WARMUP_SECONDS" "$BENCH_SECONDS" | sed -n 's/^bench: //p')
  [ -n "$line" ] || bench_die "LiveLoad.java printed no result"
  [ "$(bench_field "$line" malformed)" -eq 0 ] || bench_defects+=("rate $rate: malformed messages")
  lines+=("$line")
  bench_say "rate $rate: $(bench_field "$line" deliveries_per_s) deliveries/s, p99 $(bench_field "$line" p99_ms) ms"
  # the sockets close with the client; give the replica a moment before the next round opens new ones
  sleep 3
done
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")

echo "## Live feeds: $BENCH_SOCKETS WebSockets on one replica"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "replica, Redis, the LiveLoad client"
echo "- each round: a fresh counter, $BENCH_SOCKETS sockets opened (then a GC of the client), ${BENCH_WARMUP_SECONDS}s of" \
  "increments not counted, ${BENCH_SECONDS}s measured; one client sends the increments at a steady rate (one at a" \
  "time, so the value tells which increment a message carries) and timestamps them; delay = socket saw the value" \
  "- increment sent (client clock, 0.1 ms buckets); RSS from /proc of the replica"
echo
printf '| increments/s (target → achieved) | deliveries/s (possible) | coalesced | p50 ms | p99 ms | max ms | RSS MB idle / sockets open / after load | KB per socket | sockets opened in s |\n'
printf '|---|---:|---:|---:|---:|---:|---|---:|---:|\n'
i=0
for rate in $BENCH_RATES; do
  l=${lines[i]}
  printf '| %s → %s | %s (%s) | %s | %s | %s | %s | %s / %s / %s | %s | %s |\n' "$rate" \
    "$(bench_field "$l" increments_per_s)" "$(bench_field "$l" deliveries_per_s)" "$(bench_field "$l" possible_per_s)" \
    "$(bench_field "$l" coalesced)" "$(bench_field "$l" p50_ms)" "$(bench_field "$l" p99_ms)" \
    "$(bench_field "$l" max_ms)" "$(bench_field "$l" rss_idle_mb)" "$(bench_field "$l" rss_open_mb)" \
    "$(bench_field "$l" rss_loaded_mb)" "$(bench_field "$l" kb_per_socket)" "$(bench_field "$l" open_s)"
  i=$((i + 1))
done
echo
bench_finish
