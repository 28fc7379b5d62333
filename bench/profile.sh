#!/usr/bin/env bash
# Where a request's time and memory go: JDK Flight Recorder on one replica under wrk, one recording each for GET /,
# POST increment and POST /api/v1/jobs (a no-op job), broken down by feature (bench/JfrBreakdown.java) into
# CPU-sample shares, CPU µs and bytes allocated per request. Bytes per request do not depend on how busy the machine
# is; CPU µs do somewhat. The replica runs in role api, so no job runs in it (the submits' jobs stay queued until the
# stack stops; tally.job.max-outstanding is raised for the run so that none is refused).
#
#   bench/profile.sh                   # ~2 minutes with the defaults; progress on stderr, tables on stdout
#   TALLY_AUTH_QUOTA_ENABLED=false bench/profile.sh         # the same with a feature off, to compare
#
# Settings (environment), with defaults: BENCH_WARMUP_ROUNDS (3), BENCH_WARMUP_SECONDS (10), BENCH_SECONDS (20,
# the recorded wrk run of each route), BENCH_METHOD_PROFILING (max: a CPU sample per busy thread every 1 ms; high
# is 10 ms), BENCH_ALLOCATION_PROFILING (maximum: a sample at every new TLAB; high is up to 1,000 samples/s), BENCH_KEEP_RUN_DIR (keeps the
# .jfr files in the run dir), and the ports and others listed in bench/lib.sh. Any TALLY_* or QUARKUS_* variable
# reaches the replica through the launcher. Exits 1 on a non-2xx response, a socket error or a wrong counter.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_SECONDS:=20}"
: "${BENCH_METHOD_PROFILING:=max}" "${BENCH_ALLOCATION_PROFILING:=maximum}"
bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_WARMUP_SECONDS:1 BENCH_SECONDS:1 BENCH_CONNECTIONS:1 BENCH_WRK_THREADS:1
bench_need wrk:wrk curl:curl
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
for tool in java jcmd jfr; do
  [ -x "$java_home/bin/$tool" ] || bench_die "$java_home/bin/$tool missing: set JAVA_HOME to a JDK 21+"
done

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

load_before=$(uptime)
export TALLY_ROLE=api TALLY_JOB_MAX_OUTSTANDING=10000000
# Deep stacks (Vert.x, RESTEasy, Mutiny): keep 128 frames so Tally's own frames are not cut off.
export TALLY_JAVA_OPTS="-XX:FlightRecorderOptions:stackdepth=128 ${TALLY_JAVA_OPTS:-}"
bench_stack_start
base=http://127.0.0.1:$BENCH_PORT
raw=$bench_run_dir/bench-raw.log
settings=$bench_run_dir/breakdown.jfc
"$java_home/bin/jfr" configure --input profile method-profiling="$BENCH_METHOD_PROFILING" \
  allocation-profiling="$BENCH_ALLOCATION_PROFILING" --output "$settings" >/dev/null

increment() { bench_increment "$base/api/v1/counters/profile-$$-$1" "$base/api/v1/counters/profile-$$-$1" "$2" "$raw"; }

bench_warm_up "$BENCH_WARMUP_ROUNDS" "$BENCH_WARMUP_SECONDS" increment "$base/" "$raw"
for ((i = 1; i <= BENCH_WARMUP_ROUNDS; i++)); do
  bench_check "submit warm-up $i" "$(bench_wrk submit.lua "$base/api/v1/jobs" "$BENCH_WARMUP_SECONDS" "$raw")"
done

# cpu_seconds: the replica's CPU time so far (user + system), from /proc.
cpu_seconds() {
  sed 's/.*) //' "/proc/$bench_replica_pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($12 + $13) / hz }'
}

# record NAME COMMAND...: one recording around one wrk run; prints the wrk line plus cpu_s=CPU seconds of the replica.
record() {
  local name=$1 line before after
  shift
  "$java_home/bin/jcmd" "$bench_replica_pid" JFR.start name="$name" settings="$settings" >>"$raw" 2>&1 ||
    bench_die "jcmd JFR.start failed on pid $bench_replica_pid"
  before=$(cpu_seconds)
  line=$("$@")
  after=$(cpu_seconds)
  "$java_home/bin/jcmd" "$bench_replica_pid" JFR.stop name="$name" filename="$bench_run_dir/$name.jfr" >>"$raw" 2>&1 ||
    bench_die "jcmd JFR.stop failed on pid $bench_replica_pid"
  echo "$line cpu_s=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')"
}

get_line=$(record get bench_wrk get.lua "$base/" "$BENCH_SECONDS" "$raw"); bench_check "recorded GET /" "$get_line"
bench_say "recorded GET /: $(bench_field "$get_line" rps) req/s"
inc_line=$(record increment increment rec "$BENCH_SECONDS"); bench_check "recorded increment" "$inc_line"
bench_say "recorded increment: $(bench_field "$inc_line" rps) req/s"
submit_line=$(record submit bench_wrk submit.lua "$base/api/v1/jobs" "$BENCH_SECONDS" "$raw")
bench_check "recorded submit" "$submit_line"
bench_say "recorded submit: $(bench_field "$submit_line" rps) req/s"
load_after=$(uptime)

# breakdown NAME LINE: the feature table of one recording. wrk's count misses the requests in flight at its stop,
# a few dozen of hundreds of thousands.
breakdown() {
  "$java_home/bin/java" "$bench_dir/JfrBreakdown.java" "$bench_run_dir/$1.jfr" "$(bench_field "$2" requests)" \
    "$(bench_field "$2" cpu_s)"
}

echo "## Per-request cost by feature (JFR, one replica)"
echo
bench_machine
echo "- load before: $load_before"
echo "- load after:  $load_after"
echo "- settings: JFR profile with method-profiling=$BENCH_METHOD_PROFILING, allocation-profiling=$BENCH_ALLOCATION_PROFILING;" \
  "warm-up $BENCH_WARMUP_ROUNDS x ${BENCH_WARMUP_SECONDS}s of each route; each recording is one" \
  "wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s run; the replica in role api (no job runs in it)"
overrides=$(env | grep -E '^(TALLY|QUARKUS)_' | grep -vE '^(TALLY_JAVA_OPTS|TALLY_ROLE|TALLY_JOB_MAX_OUTSTANDING)=' |
  sort | tr '\n' ' ' || true)
echo "- replica settings changed by the caller: ${overrides:-none}"
echo
for route in "GET /:get:$get_line" "POST increment:increment:$inc_line" "POST /api/v1/jobs (no-op):submit:$submit_line"; do
  IFS=: read -r label name line <<<"$route"
  echo "### $label: $(bench_field "$line" rps) req/s, p99 $(bench_field "$line" p99_ms) ms," \
    "$(bench_field "$line" requests) requests, replica CPU $(bench_field "$line" cpu_s) s"
  echo
  breakdown "$name" "$line"
  echo
done
bench_finish
