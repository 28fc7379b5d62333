#!/usr/bin/env bash
# Where Tally's start-up time goes: Tally and its Quarkus floor (bench/peer/quarkus: Quarkus REST and the Redis
# client, nothing else), each started with and without a JDK AOT cache of its own, interleaved, BENCH_ROUNDS times.
# For each start: time from exec to ready (Tally: /q/health/ready answers 200, which needs Redis; the floor: its
# first GET / answered) and the CPU the JVM used until then; the classes it loaded (jstat). Then one start of each
# without a cache with -Xlog:class+load, grouped by the extension a class belongs to, and one of Tally with a JFR
# recording of its start: the share of its main thread's samples spent in each Quarkus start-up step.
#
#   bench/startup.sh        # ~2 minutes; builds the floor when it is missing or stale (Maven); progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_ROUNDS (3), and BENCH_PORT, BENCH_MANAGEMENT_PORT, BENCH_REDIS_PORT
# of bench/lib.sh. Each cache comes from a training start that serves 400 GET / and 400 increments (as
# deploy/local/aot.sh's training does, which only knows Tally) in a temporary directory; nothing in target/ is
# touched but the floor's own build.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_ROUNDS:=3}"
bench_settings BENCH_ROUNDS:1
bench_need curl:curl redis-server:redis-server redis-cli:redis-tools python3:python3
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$java_home/bin:$PATH # bench_machine names the JDK on the PATH
declare -A jar_of=([tally]=$bench_root/target/quarkus-app/quarkus-run.jar
  [floor]=$bench_dir/peer/quarkus/target/quarkus-app/quarkus-run.jar)
[ -f "${jar_of[tally]}" ] || bench_die "no ${jar_of[tally]}: build first (./mvnw -B package -DskipTests)"
bench_build_peer "Quarkus floor" "$bench_dir/peer/quarkus" "${jar_of[floor]}" \
  -Dquarkus.platform.version="$(bench_quarkus_version)"
bench_ports_free "$BENCH_PORT" "$BENCH_MANAGEMENT_PORT" "$BENCH_REDIS_PORT"

bench_scratch startup
work=$bench_scratch_dir

load_before=$(uptime)
bench_redis_start "$work"

# Both read the same environment: Quarkus' names for the ports and Redis, and Tally's for what a start needs (an
# ops token) and what the training's increments need (write scope, no quota).
env_of_app=(QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$BENCH_PORT" QUARKUS_MANAGEMENT_HOST=127.0.0.1
  QUARKUS_MANAGEMENT_PORT="$BENCH_MANAGEMENT_PORT" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$BENCH_REDIS_PORT"
  TALLY_INSTANCE_ID=bench-startup TALLY_OPS_TOKEN="$(od -An -vtx1 -N32 /dev/urandom | tr -d ' \n')"
  TALLY_AUTH_ANONYMOUS_SCOPES=counters:read,counters:write TALLY_AUTH_QUOTA_ANONYMOUS_RATE=1000000)
declare -A ready_url_of=([tally]=http://127.0.0.1:$BENCH_MANAGEMENT_PORT/q/health/ready
  [floor]=http://127.0.0.1:$BENCH_PORT/)

# launch NAME LOG JVM_OPTION...: starts one app (bench_app_start) and waits until it is ready.
launch() {
  local name=$1 log=$2
  shift 2
  bench_app_start "${ready_url_of[$name]}" "$log" env "${env_of_app[@]}" "$java_home/bin/java" \
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED "$@" -jar "${jar_of[$name]}"
}

# train NAME: the AOT cache $work/NAME.aot from a start that serves 400 GET / and 400 increments (one curl process,
# keep-alive), written by the JVM as it exits.
train() {
  local requests=$work/$1-training.curl i
  launch "$1" "$work/$1-training.log" -XX:AOTCacheOutput="$work/$1.aot"
  for i in $(seq 400); do
    printf 'url = "http://127.0.0.1:%s/"\noutput = "/dev/null"\nnext\n' "$BENCH_PORT"
    printf 'url = "http://127.0.0.1:%s/api/v1/counters/startup-%s/increment"\nrequest = "POST"\n' "$BENCH_PORT" $((i % 8))
    printf 'header = "Content-Type: application/json"\ndata = "{}"\noutput = "/dev/null"\nnext\n'
  done | sed '$ d' >"$requests"
  curl -sf -K "$requests" || bench_die "the $1 training's requests failed"
  bench_app_stop
  [ -s "$work/$1.aot" ] || bench_die "no AOT cache from the $1 training; see $work/$1-training.log"
}

for name in floor tally; do
  bench_say "training $name's AOT cache"
  train "$name"
done

# one_start NAME with|without ROUND: sets started to "ready_ms=.. cpu_ms=.. classes=..".
one_start() {
  local name=$1 mode=$2 classes
  local cache=()
  [ "$mode" = without ] || cache=(-XX:AOTCache="$work/$name.aot")
  launch "$name" "$work/$name-$mode-$3.log" "${cache[@]}"
  classes=$("$java_home/bin/jstat" -class "$bench_app_pid" | awk 'NR == 2 { print $1 }')
  bench_app_stop
  started="$bench_app_ready classes=$classes"
}

declare -A res
cpu_mark=$(bench_cpu_mark)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  for run in floor,without floor,with tally,without tally,with; do
    one_start "${run%,*}" "${run#*,}" "$r"
    res[$run,$r]=$started
    bench_say "start $r, ${run%,*} ${run#*,} its cache: ${res[$run,$r]}"
  done
done
cpu=$(bench_cpu_others "$cpu_mark")

bench_say "one start of each with -Xlog:class+load, one of Tally with JFR"
for name in floor tally; do
  launch "$name" "$work/$name-classes.log" -Xlog:class+load=info:file="$work/$name-classes.txt"
  bench_app_stop
done
launch tally "$work/tally-jfr.log" -XX:StartFlightRecording=name=start,settings=profile
"$java_home/bin/jcmd" "$bench_app_pid" JFR.dump name=start filename="$work/start.jfr" >/dev/null
bench_app_stop
"$java_home/bin/jfr" print --json --stack-depth 64 --events jdk.ExecutionSample "$work/start.jfr" >"$work/start.json"
load_after=$(uptime)

echo "## Start-up: Tally beside its Quarkus floor, each with and without its AOT cache"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "the apps and Redis"
echo "- $BENCH_ROUNDS rounds, each: the floor without and with its cache, then Tally without and with its own;" \
  "ready: Tally's /q/health/ready 200, the floor's first GET / answered; median (each start)"
echo
echo "| median of $BENCH_ROUNDS starts | ready, ms | CPU to ready, ms | classes loaded |"
echo "|---|---:|---:|---:|"
cell() {
  local r values=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${res[$1,$r]}" "$2")"); done
  printf ' **%s** (%s) |' "$(bench_median "${values[@]}")" "$(IFS=,; echo "${values[*]}" | sed 's/,/, /g')"
}
median_of() {
  local r
  # shellcheck disable=SC2046 # one number per round
  bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${res[$1,$r]}" "$2"; done)
}
for run in floor,without floor,with tally,without tally,with; do
  printf '| %s, %s its cache |' "${run%,*}" "${run#*,}"
  for field in ready_ms cpu_ms classes; do cell "$run" "$field"; done
  echo
done
echo
echo "- Tally ÷ floor: ready $(bench_ratio "$(median_of tally,without ready_ms)" "$(median_of floor,without ready_ms)") ×" \
  "without the caches, $(bench_ratio "$(median_of tally,with ready_ms)" "$(median_of floor,with ready_ms)") × with them;" \
  "CPU to ready $(bench_ratio "$(median_of tally,without cpu_ms)" "$(median_of floor,without cpu_ms)") × and" \
  "$(bench_ratio "$(median_of tally,with cpu_ms)" "$(median_of floor,with cpu_ms)") ×"
echo
python3 "$bench_dir/startup_report.py" "$work/floor-classes.txt" "$work/tally-classes.txt" "$work/start.json"
bench_say "done in ${SECONDS}s"
