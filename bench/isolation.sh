#!/usr/bin/env bash
# Does blocking or CPU-heavy work starve the rest of a replica? Measures GET / and POST increment latency on one
# replica at a fixed request rate (hey) in three conditions, side by side in each round of one run:
#   idle      nothing else running (the baseline)
#   blocking  BENCH_BLOCKED_CLIENTS clients (wrk) looping on GET /api/v1/work/blocking?ms=BENCH_BLOCK_MS
#   cpu       BENCH_CPU_CLIENTS clients (wrk) looping on GET /api/v1/work/cpu, far past its bulkhead, while a
#             third hey samples the CPU endpoint to time the refusals (503 overloaded)
# plus the replica's resident memory with the blocked calls in flight. See bench/README.md.
#
#   bench/isolation.sh                  # ~4 minutes with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (20),
# BENCH_BLOCKED_CLIENTS (1000), BENCH_BLOCK_MS (2000), BENCH_CPU_CLIENTS (32), BENCH_CPU_ITERATIONS (1000000),
# BENCH_GET_RATE (500 req/s), BENCH_INCREMENT_RATE (200 req/s), BENCH_SHED_RATE (100 req/s), and the ports in
# bench/lib.sh. Exits 1 if a measured GET / or increment failed; the aims are reported, not enforced.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}" "${BENCH_WARMUP_SECONDS:=20}"
: "${BENCH_BLOCKED_CLIENTS:=1000}" "${BENCH_BLOCK_MS:=2000}" "${BENCH_CPU_CLIENTS:=32}"
: "${BENCH_CPU_ITERATIONS:=1000000}" "${BENCH_GET_RATE:=500}" "${BENCH_INCREMENT_RATE:=200}" "${BENCH_SHED_RATE:=100}"
get_aim_blocking=25 get_aim_cpu=50 shed_aim=5

bench_settings BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_WARMUP_SECONDS:0 BENCH_BLOCKED_CLIENTS:1 BENCH_BLOCK_MS:1 \
  BENCH_CPU_CLIENTS:1 BENCH_CPU_ITERATIONS:1 BENCH_GET_RATE:10 BENCH_INCREMENT_RATE:10 BENCH_SHED_RATE:10
[ "$BENCH_BLOCKED_CLIENTS" -le 10000 ] || bench_die "BENCH_BLOCKED_CLIENTS must be <= 10000"
[ "$(ulimit -n)" -gt $((BENCH_BLOCKED_CLIENTS + 200)) ] ||
  bench_die "ulimit -n is $(ulimit -n); wrk needs more than $((BENCH_BLOCKED_CLIENTS + 200)) descriptors"
bench_need wrk:wrk hey:hey curl:curl
BENCH_REPLICAS=1 BENCH_NGINX=off

trap 'stop_background; bench_stack_stop' EXIT
trap 'exit 130' INT TERM

background_pid=""
stop_background() {
  [ -z "$background_pid" ] || kill -TERM "$background_pid" 2>/dev/null || true
  background_pid=""
}

load_before=$(uptime)
round_seconds=$((3 * BENCH_SECONDS + 25))
bench_say "estimated time: ~$((BENCH_WARMUP_SECONDS + BENCH_ROUNDS * round_seconds + 15))s"
bench_stack_start
base=http://127.0.0.1:$BENCH_PORT
raw=$bench_run_dir/bench-raw.log
blocking_url="$base/api/v1/work/blocking?ms=$BENCH_BLOCK_MS"
cpu_url="$base/api/v1/work/cpu?iterations=$BENCH_CPU_ITERATIONS"

# The fixed-rate probes: hey workers each limited to 50 req/s (-q), so every condition gets the same traffic.
probe_get() { bench_hey "$raw" -z "${1}s" -c $((BENCH_GET_RATE / 50)) -q 50 "$base/"; }
probe_increment() {
  bench_hey "$raw" -z "${1}s" -c $((BENCH_INCREMENT_RATE / 50)) -q 50 -m POST -T application/json -d '{"by":1}' \
    "$base/api/v1/counters/bench-isolation-$$/increment"
}
# The CPU-endpoint sampler: per-request CSV, so refusals (503) and admitted calls are timed apart. Prints
# requests=N refused=N p50_ms/p99_ms (refusals only) admitted=N other=N (neither 2xx nor 503).
probe_shed() {
  local csv
  csv=$(hey -z "${1}s" -c $((BENCH_SHED_RATE / 25)) -q 25 -o csv "$cpu_url" 2>&1) ||
    { printf '%s\n' "$csv" >&2; bench_die "hey failed on $cpu_url"; }
  printf '%s\n' "$csv" >>"$raw"
  local counts times
  counts=$(printf '%s\n' "$csv" | awk -F, 'NR > 1 && $7 ~ /^[0-9]+$/ { n++
      if ($7 == 503) r++; else if ($7 >= 200 && $7 <= 299) a++; else o++ }
    END { printf "requests=%d refused=%d admitted=%d other=%d", n, r, a, o }')
  times=$(printf '%s\n' "$csv" | awk -F, 'NR > 1 && $7 == 503 { print $1 * 1000 }' | sort -g)
  printf '%s %s\n' "$counts" "$(printf '%s\n' "$times" | awk 'NF { v[++n] = $1 } END {
    printf "p50_ms=%.2f p99_ms=%.2f", (n ? v[int((n - 1) * 0.50) + 1] : 0), (n ? v[int((n - 1) * 0.99) + 1] : 0) }')"
}

# measure CONDITION ROUND: both probes at once for BENCH_SECONDS; "get=<hey line>" etc. go to files.
measure() {
  local dir=$bench_run_dir/$1-$2
  mkdir -p "$dir"
  probe_get "$BENCH_SECONDS" >"$dir/get" &
  local get_pid=$!
  probe_increment "$BENCH_SECONDS" >"$dir/increment" &
  local inc_pid=$!
  if [ "$1" = cpu ]; then probe_shed "$BENCH_SECONDS" >"$dir/shed"; fi
  wait "$get_pid" "$inc_pid"
}

# background_load URL CLIENTS SECONDS NAME: wrk keeps CLIENTS requests on URL in flight; its summary goes to NAME.
background_load() {
  wrk -t 2 -c "$2" -d "${3}s" --timeout 30s -s "$bench_dir/wrk/get.lua" "$1" >"$bench_run_dir/$4.wrk" 2>&1 &
  background_pid=$!
}

# await_metric NAME AT_LEAST SECONDS: polls replica 1's metric; prints its last value.
await_metric() {
  local deadline=$((SECONDS + $3)) value=0
  while [ $SECONDS -lt $deadline ]; do
    value=$(bench_metric "$1")
    [ "$value" -ge "$2" ] && break
    sleep 0.2
  done
  echo "$value"
}

bench_say "warm-up: ${BENCH_WARMUP_SECONDS}s of GET / and increments at full speed, not counted"
if [ "$BENCH_WARMUP_SECONDS" -gt 0 ]; then
  bench_hey "$raw" -z "${BENCH_WARMUP_SECONDS}s" -c 16 "$base/" >/dev/null &
  warmup_pid=$!
  bench_hey "$raw" -z "${BENCH_WARMUP_SECONDS}s" -c 16 -m POST -T application/json -d '{"by":1}' \
    "$base/api/v1/counters/bench-isolation-warmup-$$/increment" >/dev/null
  wait "$warmup_pid" # never a bare wait: the launcher is a child of this shell too
fi
rss_idle=$(bench_rss_mib "$bench_replica_pid")

cpu_mark=$(bench_cpu_mark)
declare -a in_flight rss_blocked blocked_wrk cpu_wrk
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  measure idle "$r"

  # Enough wrk time for the ramp (one call length), the measurement, and a margin; stopped early below.
  background_load "$blocking_url" "$BENCH_BLOCKED_CLIENTS" $((BENCH_SECONDS + BENCH_BLOCK_MS / 1000 + 20)) "blocking-$r"
  in_flight[r]=$(await_metric tally_work_blocking_in_flight $((BENCH_BLOCKED_CLIENTS * 98 / 100)) 30)
  measure blocking "$r"
  rss_blocked[r]=$(bench_rss_mib "$bench_replica_pid")
  wait "$background_pid" || true
  background_pid=""
  blocked_wrk[r]=$(sed -n 's/^bench: //p' "$bench_run_dir/blocking-$r.wrk")

  background_load "$cpu_url" "$BENCH_CPU_CLIENTS" $((BENCH_SECONDS + 5)) "cpu-$r"
  await_metric tally_work_cpu_in_flight 1 10 >/dev/null
  measure cpu "$r"
  wait "$background_pid" || true
  background_pid=""
  cpu_wrk[r]=$(sed -n 's/^bench: //p' "$bench_run_dir/cpu-$r.wrk")

  bench_say "round $r/$BENCH_ROUNDS: GET / p99 idle $(bench_field "$(cat "$bench_run_dir/idle-$r/get")" p99_ms) ms," \
    "blocking $(bench_field "$(cat "$bench_run_dir/blocking-$r/get")" p99_ms) ms (${in_flight[r]} calls in flight," \
    "RSS ${rss_blocked[r]} MiB), cpu $(bench_field "$(cat "$bench_run_dir/cpu-$r/get")" p99_ms) ms"
done
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")

# field CONDITION PROBE KEY ROUND
field() { bench_field "$(cat "$bench_run_dir/$1-$4/$2")" "$3"; }
# median_of CONDITION PROBE KEY
median_of() { bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do field "$1" "$2" "$3" "$r"; done); }
# row LABEL FORMAT CONDITION PROBE KEY
row() {
  local r
  printf '| %s |' "$1"
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf " $2 |" "$(field "$3" "$4" "$5" "$r")"; done
  printf " **$2** |\n" "$(median_of "$3" "$4" "$5")"
}
# array_row LABEL ARRAY KEY(or empty for plain values)
array_row() {
  local -n values=$2
  local r list=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do list+=("$(if [ -n "$3" ]; then bench_field "${values[r]}" "$3"; else echo "${values[r]}"; fi)"); done
  printf '| %s |' "$1"
  printf ' %s |' "${list[@]}"
  printf ' **%s** |\n' "$(bench_median "${list[@]}")"
}

for condition in idle blocking cpu; do
  for probe in get increment; do
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
      line=$(cat "$bench_run_dir/$condition-$r/$probe")
      [ "$(bench_field "$line" non2xx)" -eq 0 ] ||
        bench_defects+=("$condition round $r $probe: $(bench_field "$line" non2xx) non-2xx ($(bench_field "$line" statuses))")
      [ "$(bench_field "$line" errors)" -eq 0 ] ||
        bench_defects+=("$condition round $r $probe: $(bench_field "$line" errors) requests without an answer")
    done
  done
done
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  other=$(field cpu shed other "$r")
  [ "$other" -eq 0 ] || bench_defects+=("cpu round $r: $other sampled CPU calls neither 2xx nor 503")
done

get_idle=$(median_of idle get p99_ms)
get_blocking=$(median_of blocking get p99_ms)
get_cpu=$(median_of cpu get p99_ms)
shed_p99=$(median_of cpu shed p99_ms)
verdict() { awk -v v="$1" -v aim="$2" 'BEGIN { print (v < aim) ? "met" : "NOT met" }'; }

echo "## Isolation: GET / and increments on one replica, idle vs $BENCH_BLOCKED_CLIENTS blocked calls vs CPU saturation"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "replica, Redis, wrk, hey"
echo "- probes (hey, fixed rate, the same in every condition): GET / at $BENCH_GET_RATE req/s and POST increment at" \
  "$BENCH_INCREMENT_RATE req/s, together for ${BENCH_SECONDS}s per condition and round; warm-up ${BENCH_WARMUP_SECONDS}s not counted"
echo "- blocking: wrk -c $BENCH_BLOCKED_CLIENTS looping on \`work/blocking?ms=$BENCH_BLOCK_MS\` (bulkhead" \
  "\`tally.work.blocking.max-concurrent\` = 1000 by default); probes start once the in-flight gauge is at 98%"
echo "- cpu: wrk -c $BENCH_CPU_CLIENTS looping on \`work/cpu?iterations=$BENCH_CPU_ITERATIONS\` (bulkhead 2 running +" \
  "16 waiting by default), plus a third hey at $BENCH_SHED_RATE req/s on the same endpoint to time the refusals"
echo
printf '| |'; for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf ' round %d |' "$r"; done; echo ' median |'
printf '|---|'; for ((r = 0; r <= BENCH_ROUNDS; r++)); do printf -- '---:|'; done; echo
for condition in idle blocking cpu; do
  row "$condition: GET / p50 ms" "%.2f" "$condition" get p50_ms
  row "$condition: GET / p99 ms" "%.2f" "$condition" get p99_ms
  row "$condition: increment p50 ms" "%.2f" "$condition" increment p50_ms
  row "$condition: increment p99 ms" "%.2f" "$condition" increment p99_ms
  row "$condition: probe requests answered" "%d" "$condition" get requests
done
array_row "blocking: calls in flight when probes started" in_flight ""
array_row "blocking: background calls completed (wrk)" blocked_wrk requests
array_row "blocking: background calls refused or failed" blocked_wrk non2xx
array_row "cpu: background calls (wrk), 2xx + 503" cpu_wrk requests
array_row "cpu: background calls refused (503 overloaded)" cpu_wrk non2xx
row "cpu: sampled CPU calls answered" "%d" cpu shed requests
row "cpu: sampled CPU calls admitted (2xx)" "%d" cpu shed admitted
row "cpu: sampled CPU calls refused (503 overloaded)" "%d" cpu shed refused
row "cpu: refusal p50 ms" "%.2f" cpu shed p50_ms
row "cpu: refusal p99 ms" "%.2f" cpu shed p99_ms
array_row "replica RSS MiB with the blocked calls in flight" rss_blocked ""
echo
echo "- replica RSS: $rss_idle MiB after warm-up, **$(bench_median "${rss_blocked[@]:1}") MiB** (median) with" \
  "$BENCH_BLOCKED_CLIENTS blocked calls in flight"
echo "- GET / p99: idle **$get_idle ms**, with the blocked calls **$get_blocking ms** (ratio" \
  "$(bench_ratio "$get_blocking" "$get_idle"); aim < $get_aim_blocking ms: **$(verdict "$get_blocking" $get_aim_blocking)**)," \
  "with the CPU saturated **$get_cpu ms** (ratio $(bench_ratio "$get_cpu" "$get_idle"); aim < $get_aim_cpu ms:" \
  "**$(verdict "$get_cpu" $get_aim_cpu)**)"
echo "- refusals (503 overloaded) of the sampled CPU calls, p99: **$shed_p99 ms** (aim < $shed_aim ms:" \
  "**$(verdict "$shed_p99" $shed_aim)**)"
bench_finish
