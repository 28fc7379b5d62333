#!/usr/bin/env bash
# CPU per request of this build beside another Tally build, at the same offered rate: the cost of a change that is
# too small to see in saturated req/s (whose rounds spread by 10-20 % on a shared 2-core machine). Both replicas
# (role api) run on one redis-server of this script's own; in each round every route is offered at a fixed rate to
# one replica, then to the other (hey -q), and the replica's own CPU time (utime + stime from /proc) over that run is
# divided by the requests it answered 2xx.
#
#   BENCH_COST_BASELINE=/path/to/other/target/quarkus-app bench/cost.sh   # ~7 minutes with the defaults
#
# Settings (environment), with defaults: BENCH_COST_BASELINE (required: a directory holding the other build's
# quarkus-run.jar), BENCH_WARMUP_ROUNDS (3 runs of every route on each build, not counted: one left both builds
# still warming up over the measured rounds), BENCH_ROUNDS (3), BENCH_SECONDS (10 per route and build and round),
# BENCH_COST_RATES ("get:4000 increment:3000 submit:2000", requests/s offered by 20 hey workers), and
# BENCH_PORT (this build; the baseline on BENCH_PORT + 10, management ports + 1000) and BENCH_REDIS_PORT. Prints
# one table, medians of the rounds and the ratio this build ÷ baseline per route (below 1: cheaper). Exits 1 on a
# non-2xx answer or a replica that does not start.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}" "${BENCH_COST_RATES:=get:4000 increment:3000 submit:2000}"
bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_ROUNDS:1 BENCH_SECONDS:1
[ -f "${BENCH_COST_BASELINE:-}/quarkus-run.jar" ] ||
  bench_die "BENCH_COST_BASELINE must name a directory holding another build's quarkus-run.jar"
bench_need hey:hey curl:curl redis-server:redis-server redis-cli:redis-tools
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
this_app=$bench_root/target/quarkus-app
[ -f "$this_app/quarkus-run.jar" ] || bench_die "no $this_app/quarkus-run.jar: run ./mvnw package first"
baseline_port=$((BENCH_PORT + 10))
bench_ports_free "$BENCH_PORT" $((BENCH_PORT + 1000)) "$baseline_port" $((baseline_port + 1000)) "$BENCH_REDIS_PORT"

bench_scratch cost
baseline_pid=""
trap 'bench_stop "$bench_app_pid"; bench_stop "$baseline_pid"; bench_stop "$bench_redis_pid"; rm -rf "$bench_scratch_dir"' EXIT
bench_redis_start "$bench_scratch_dir"

# replica NAME APP PORT: one replica in role api (no worker: submitted jobs stay queued; the bound is raised so that
# none is refused), every scope for anonymous callers and no quota limit, as bench_stack_start's replicas have.
replica() {
  bench_app_start "http://127.0.0.1:$(($3 + 1000))/q/health/ready" "$bench_scratch_dir/$1.log" \
    env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$3" \
    QUARKUS_MANAGEMENT_PORT=$(($3 + 1000)) QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$BENCH_REDIS_PORT" \
    TALLY_ROLE=api TALLY_INSTANCE_ID="cost-$1" TALLY_OPS_TOKEN="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')" \
    TALLY_AUTH_QUOTA_KEY_RATE=1000000 TALLY_AUTH_QUOTA_ANONYMOUS_RATE=1000000 TALLY_JOB_MAX_OUTSTANDING=10000000 \
    TALLY_AUTH_ANONYMOUS_SCOPES="$bench_anonymous_scopes" \
    "$java" -jar "$2/quarkus-run.jar"
  bench_say "$1 ready (pid $bench_app_pid) on port $3: $bench_app_ready"
}
replica baseline "$BENCH_COST_BASELINE" "$baseline_port"
baseline_pid=$bench_app_pid
replica this "$this_app" "$BENCH_PORT"
this_pid=$bench_app_pid

# offer ROUTE RATE PORT PID SECONDS: prints "ok=N bad=N cpu_us=µs per 2xx answer" for one run.
offer() {
  local base=http://127.0.0.1:$3 request out before after
  case $1 in
    get) request=("$base/") ;;
    increment) request=(-m POST -T application/json -d '{"by":1}' "$base/api/v1/counters/cost/increment") ;;
    submit) request=(-m POST -T application/json -d '{"type":"noop"}' "$base/api/v1/jobs") ;;
    *) bench_die "BENCH_COST_RATES: unknown route '$1' (get, increment, submit)" ;;
  esac
  before=$(sed 's/.*) //' "/proc/$4/stat" | awk '{ print $12 + $13 }')
  out=$(hey -z "${5}s" -c 20 -q $(($2 / 20)) "${request[@]}")
  after=$(sed 's/.*) //' "/proc/$4/stat" | awk '{ print $12 + $13 }')
  printf '%s\n' "$out" | awk -v a="$before" -v b="$after" -v hz="$(getconf CLK_TCK)" '
    /^ *\[[0-9]+\]/ { code = substr($1, 2, length($1) - 2); if (code >= 200 && code < 300) ok += $2; else bad += $2 }
    END { printf "ok=%d bad=%d cpu_us=%.1f\n", ok, bad, (ok > 0) ? (b - a) * 1e6 / hz / ok : 0 }'
}

declare -A cost=()
for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do # not counted: the JIT warms both builds
  for spec in $BENCH_COST_RATES; do
    IFS=: read -r route rate <<<"$spec"
    offer "$route" "$rate" "$baseline_port" "$baseline_pid" "$BENCH_SECONDS" >/dev/null
    offer "$route" "$rate" "$BENCH_PORT" "$this_pid" "$BENCH_SECONDS" >/dev/null
  done
  bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS done"
done
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  for spec in $BENCH_COST_RATES; do
    IFS=: read -r route rate <<<"$spec"
    for side in baseline this; do
      if [ $side = baseline ]; then line=$(offer "$route" "$rate" "$baseline_port" "$baseline_pid" "$BENCH_SECONDS")
      else line=$(offer "$route" "$rate" "$BENCH_PORT" "$this_pid" "$BENCH_SECONDS"); fi
      [ "$(bench_field "$line" bad)" -eq 0 ] || bench_defects+=("round $r, $route, $side: $line")
      cost[$route.$side.$r]=$(bench_field "$line" cpu_us)
    done
    bench_say "round $r/$BENCH_ROUNDS, $route at $rate/s: CPU µs per request baseline ${cost[$route.baseline.$r]}, this build ${cost[$route.this.$r]}"
  done
done

echo "## CPU per request at the same offered rate: this build beside $BENCH_COST_BASELINE"
echo
bench_machine
echo "- $BENCH_ROUNDS rounds; in each, every route for ${BENCH_SECONDS}s at its rate on the baseline, then on this build" \
  "(hey -c 20 -q), after $BENCH_WARMUP_ROUNDS warm-up rounds the same way; both replicas in role api on one redis-server"
echo
echo "| CPU µs per request | rate/s | baseline (rounds) | this build (rounds) | this ÷ baseline |"
echo "|---|---:|---:|---:|---:|"
for spec in $BENCH_COST_RATES; do
  IFS=: read -r route rate <<<"$spec"
  base=() this=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do base+=("${cost[$route.baseline.$r]}"); this+=("${cost[$route.this.$r]}"); done
  b=$(bench_median "${base[@]}") t=$(bench_median "${this[@]}")
  echo "| $route | $rate | **$b** ($(IFS=,; echo "${base[*]}" | sed 's/,/, /g')) | **$t** ($(IFS=,; echo "${this[*]}" | sed 's/,/, /g')) | $(bench_ratio "$t" "$b") |"
done
if [ ${#bench_defects[@]} -eq 0 ]; then
  echo; echo "- errors: none (every answer 2xx)"
else
  echo; echo "- **DEFECTS**:"; printf '  - %s\n' "${bench_defects[@]}"
fi
[ ${#bench_defects[@]} -eq 0 ]
