#!/usr/bin/env bash
# Tally on the three Redis topologies, one after the other in one run on this machine: increments/s and no-op
# jobs/s on standalone Redis, on the launcher's 3-master Redis Cluster and on its Sentinel set, each beside
# redis-benchmark INCR on the same Redis (--cluster on the Cluster), and the same again with
# TALLY_REDIS_MIN_REPLICAS_ACKED=1 on the Cluster and on Sentinel (every write on a replica before the answer).
# See bench/README.md.
#
#   bench/cluster.sh          # ~10 minutes with the defaults; progress on stderr, table on stdout
#
# Each topology gets a fresh stack (deploy/local/up with TALLY_REDIS_MODE, one replica in role all, Nginx off),
# warm-up rounds not counted, then BENCH_ROUNDS rounds of: wrk increments on one fresh counter for BENCH_SECONDS
# (checked against the counter's value), BENCH_JOBS no-op jobs submitted by hey and timed until the replica has
# recorded that many successes, and redis-benchmark INCR over random keys. Medians in bold.
# Settings (environment), with defaults: BENCH_TOPOLOGIES ("standalone cluster sentinel cluster+acked
# sentinel+acked"), BENCH_WARMUP_ROUNDS (2), BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_JOBS (4000),
# BENCH_SUBMITTERS (32), BENCH_REDIS_CLIENTS (50), BENCH_REDIS_REQUESTS (200000), and those of bench/lib.sh
# (BENCH_REDIS_PORT, 16479, is the first of the six ports a Cluster or Sentinel set takes). Exits 1 if a response
# was not 2xx/202, a counter disagrees with its responses, or a job was not recorded as succeeded.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_TOPOLOGIES:=standalone cluster sentinel cluster+acked sentinel+acked}"
: "${BENCH_WARMUP_ROUNDS:=2}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}" "${BENCH_JOBS:=4000}"
: "${BENCH_SUBMITTERS:=32}" "${BENCH_REDIS_CLIENTS:=50}" "${BENCH_REDIS_REQUESTS:=200000}"
bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_JOBS:100 BENCH_SUBMITTERS:1 \
  BENCH_REDIS_CLIENTS:1 BENCH_REDIS_REQUESTS:1
for topology in $BENCH_TOPOLOGIES; do
  case "$topology" in
    standalone | cluster | sentinel | cluster+acked | sentinel+acked) ;;
    *) bench_die "BENCH_TOPOLOGIES: unknown '$topology' (standalone, cluster, sentinel, cluster+acked, sentinel+acked)" ;;
  esac
done
bench_need wrk:wrk hey:hey redis-benchmark:redis-tools curl:curl
# hey sends -n rounded down to a multiple of -c: submit exactly that many.
BENCH_JOBS=$((BENCH_JOBS / BENCH_SUBMITTERS * BENCH_SUBMITTERS))

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

# redis_incr MODE LOG: redis-benchmark INCR over 100,000 random keys (so that a Cluster's keys span every master)
# on the topology's master: the Cluster through --cluster, Sentinel on its first master.
redis_incr() {
  local out cluster=()
  [ "$1" = cluster ] && cluster=(--cluster)
  out=$(timeout 120 redis-benchmark "${cluster[@]}" -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -t incr -r 100000 \
    -c "$BENCH_REDIS_CLIENTS" -n "$BENCH_REDIS_REQUESTS" --csv 2>&1) ||
    { printf '%s\n' "$out" >&2; bench_die "redis-benchmark failed on port $BENCH_REDIS_PORT ($1)"; }
  printf '%s\n' "$out" >>"$2"
  printf '%s\n' "$out" | awk -F'"' '$2 == "INCR" { printf "rps=%s\n", $4 }'
}

# succeeded: no-op jobs the replica has recorded as succeeded (its Prometheus counter).
succeeded() {
  bench_ops_curl "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/q/metrics" |
    awk '/^tally_jobs_outcomes_total\{.*outcome="succeeded".*type="noop"/ { s += $2 } END { printf "%d", s }'
}

# jobs LOG: BENCH_JOBS no-op jobs as fast as hey submits them, timed until all have succeeded (at most 120 s);
# prints "jobs_per_s=.. non202=.. missing=..".
jobs() {
  local before start out accepted deadline=$((SECONDS + 120))
  before=$(succeeded)
  start=$(date +%s.%N)
  out=$(hey -n "$BENCH_JOBS" -c "$BENCH_SUBMITTERS" -m POST -T application/json -d '{"type":"noop"}' \
    "http://127.0.0.1:$BENCH_PORT/api/v1/jobs")
  printf '%s\n' "$out" >>"$1"
  accepted=$(printf '%s\n' "$out" | awk '/\[202\]/ { print $2 }')
  until [ $(($(succeeded) - before)) -ge "${accepted:-0}" ] || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
  awk -v n="${accepted:-0}" -v s="$start" -v e="$(date +%s.%N)" -v all="$BENCH_JOBS" -v d="$(($(succeeded) - before))" \
    'BEGIN { printf "jobs_per_s=%.0f non202=%d missing=%d\n", n / (e - s), all - n, n - d }'
}

check_jobs() {
  [ "$(bench_field "$2" non202)" -eq 0 ] || bench_defects+=("$1: $(bench_field "$2" non202) submits not answered 202")
  [ "$(bench_field "$2" missing)" -eq 0 ] ||
    bench_defects+=("$1: $(bench_field "$2" missing) accepted jobs not recorded as succeeded within 120 s")
}

declare -A inc_median jobs_median redis_median inc_rounds jobs_rounds redis_rounds notes
load_before=$(uptime)
cpu_mark=""
for topology in $BENCH_TOPOLOGIES; do
  mode=${topology%+acked}
  acked=0
  [ "$topology" = "$mode" ] || acked=1
  bench_say "== $topology (TALLY_REDIS_MODE=$mode, TALLY_REDIS_MIN_REPLICAS_ACKED=$acked)"
  TALLY_REDIS_MODE=$mode TALLY_REDIS_MIN_REPLICAS_ACKED=$acked bench_stack_start
  # The topology's redis-server pids (the launcher writes one file per node) count as this benchmark's CPU.
  bench_redis_pid=$(cat "$bench_run_dir"/redis-node-*.pid | tr '\n' ' ')
  [ -n "$cpu_mark" ] || cpu_mark=$(bench_cpu_mark)
  if [ "$acked" = 1 ] && ! grep -q 'min-replicas-acked' "$bench_root/src/main/resources/application.properties"; then
    notes[$topology]="TALLY_REDIS_MIN_REPLICAS_ACKED was passed, but this build has no tally.redis.min-replicas-acked: not in effect"
  fi
  base=http://127.0.0.1:$BENCH_PORT
  raw=$bench_run_dir/bench-raw.log
  increment() { bench_increment "$base/api/v1/counters/bench-$$-$1" "$base/api/v1/counters/bench-$$-$1" "$2" "$raw"; }
  bench_warm_up "$BENCH_WARMUP_ROUNDS" "$BENCH_SECONDS" increment "$base/" "$raw"
  inc=() job=() red=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do
    # "+" is not allowed in counter names.
    line=$(increment "${topology/+/-}-m$r" "$BENCH_SECONDS"); bench_check "$topology round $r increment" "$line"
    inc[r]=$(bench_field "$line" rps)
    line=$(jobs "$raw"); check_jobs "$topology round $r jobs" "$line"; job[r]=$(bench_field "$line" jobs_per_s)
    red[r]=$(bench_field "$(redis_incr "$mode" "$raw")" rps)
    bench_say "$topology round $r/$BENCH_ROUNDS: increment ${inc[r]} req/s, jobs ${job[r]}/s, redis-benchmark INCR ${red[r]}/s"
  done
  inc_rounds[$topology]="${inc[*]}"; jobs_rounds[$topology]="${job[*]}"; redis_rounds[$topology]="${red[*]}"
  inc_median[$topology]=$(bench_median "${inc[@]}")
  jobs_median[$topology]=$(bench_median "${job[@]}")
  redis_median[$topology]=$(bench_median "${red[@]}")
  bench_stack_stop
done
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")

first=${BENCH_TOPOLOGIES%% *}
echo "## Tally on standalone Redis, a 3-master Redis Cluster and Sentinel (one replica, Nginx off)"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "the replica, every redis-server of the topology, wrk, hey, redis-benchmark"
echo "- warm-up: $BENCH_WARMUP_ROUNDS x ${BENCH_SECONDS}s of increment then GET / on each fresh stack, not counted"
echo "- measured per topology: $BENCH_ROUNDS rounds of wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS increments on one fresh" \
  "counter for ${BENCH_SECONDS}s, $BENCH_JOBS no-op jobs (hey -c $BENCH_SUBMITTERS, submit to recorded success, the" \
  "replica's own worker), redis-benchmark -t incr -r 100000 -c $BENCH_REDIS_CLIENTS -n $BENCH_REDIS_REQUESTS" \
  "(--cluster on the Cluster); rounds listed, medians in bold; ratios against the first topology ($first)"
for topology in $BENCH_TOPOLOGIES; do
  [ -z "${notes[$topology]:-}" ] || echo "- note ($topology): ${notes[$topology]}"
done
echo
echo "| topology | increments/s (rounds) | increments/s | ÷ $first | jobs/s (rounds) | jobs/s | ÷ $first | redis-benchmark INCR/s | Tally increments ÷ redis-benchmark |"
echo "|---|---|---:|---:|---|---:|---:|---:|---:|"
for topology in $BENCH_TOPOLOGIES; do
  printf '| %s | %s | **%.0f** | %s | %s | **%.0f** | %s | %.0f | %s |\n' "$topology" "${inc_rounds[$topology]}" \
    "${inc_median[$topology]}" "$(bench_ratio "${inc_median[$topology]}" "${inc_median[$first]}")" \
    "${jobs_rounds[$topology]}" "${jobs_median[$topology]}" \
    "$(bench_ratio "${jobs_median[$topology]}" "${jobs_median[$first]}")" "${redis_median[$topology]}" \
    "$(bench_ratio "${inc_median[$topology]}" "${redis_median[$topology]}")"
done
echo
bench_finish
