#!/usr/bin/env bash
# Start fast, warm fast: one replica started with and without the JDK's AOT cache (deploy/local/aot.sh), side by
# side, starts interleaved. For each start: time from exec to ready (/q/health/ready answers 200) and the CPU time
# the JVM used until then (which, unlike the wall time, hardly depends on what else the machine runs), RSS idle
# (2 s after ready), then wrk GET / in 1 s slices for BENCH_AOT_LOAD_SECONDS: the rate of each second, the warm
# rate (median of the last 5 s), the first second at >= 90% of it, and the RSS under load. Around every second of
# load the replica's threads are read (bench/thread_cpu.py): its CPU that second and the part its JIT compiler
# threads (C1, C2) used, which shows whether the climb to the warm rate is the JIT compiling the request path
# while it competes with the requests for the same cores.
#
#   bench/aot.sh            # ~4 minutes with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_ROUNDS (3 starts of each), BENCH_AOT_LOAD_SECONDS (30),
# BENCH_AOT_PATH (/, or e.g. /api/v1/counters/x for a Redis read), BENCH_AOT_JAVA_OPTS (none: JVM options for every
# measured start, e.g. "-XX:MaxRAM=1g -XX:MaxRAMPercentage=75" for the heap the image sizes in k8s/'s 1 GiB pods;
# the training run does not get them), and BENCH_PORT, BENCH_MANAGEMENT_PORT,
# BENCH_REDIS_PORT, BENCH_CONNECTIONS, BENCH_WRK_THREADS of bench/lib.sh. The cache is made first (a training run,
# as TALLY_AOT=train does) in a temporary directory; the build's own target/quarkus-app/app.aot is not touched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$bench_root/deploy/local/aot.sh"

: "${BENCH_ROUNDS:=3}" "${BENCH_AOT_LOAD_SECONDS:=30}" "${BENCH_AOT_PATH:=/}" "${BENCH_AOT_JAVA_OPTS:=}"
bench_settings BENCH_ROUNDS:1 BENCH_AOT_LOAD_SECONDS:6
bench_need wrk:wrk curl:curl redis-server:redis-server
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$java_home/bin:$PATH # bench_machine names the JDK on the PATH
jar=$bench_root/target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || bench_die "no $jar: build first (./mvnw -B package -DskipTests)"
bench_ports_free "$BENCH_PORT" "$BENCH_MANAGEMENT_PORT" "$BENCH_REDIS_PORT"

bench_scratch aot
work=$bench_scratch_dir

load_start=$(uptime)
bench_redis_start "$work"

env_of_replica=(QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1
  QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$BENCH_REDIS_PORT" TALLY_INSTANCE_ID=bench-aot
  TALLY_OPS_TOKEN="$(od -An -vtx1 -N32 /dev/urandom | tr -d ' \n')" TALLY_AUTH_QUOTA_ANONYMOUS_RATE=1000000
  TALLY_AUTH_ANONYMOUS_SCOPES=counters:read,counters:write)
cache=$work/app.aot
bench_say "training the AOT cache (deploy/local/aot.sh aot_make)"
train_start=$SECONDS
aot_make "$java_home" "$jar" "$cache" "$work/training.log" "$BENCH_PORT" "$BENCH_MANAGEMENT_PORT" \
  "${env_of_replica[@]}" || { tail -20 "$work/training.log" >&2; bench_die "AOT training failed"; }
train_seconds=$((SECONDS - train_start))
cache_mib=$(du -m "$cache" | cut -f1)
bench_say "cache: ${cache_mib} MiB in ${train_seconds}s"

# second_cpu BEFORE AFTER: "CPU_MS JIT_MS": the replica's CPU between two thread snapshots, and its compiler threads'.
second_cpu() {
  python3 "$bench_dir/thread_cpu.py" report "$1" "$2" 1000 | tr ' ' '\n' | awk -F'[=:,]' '
    $1 == "cpu_us" { cpu = $2 }
    $1 == "top" { for (i = 2; i < NF; i += 2) if ($i ~ /^C[12]_CompilerThre$/) jit += $(i + 1) }
    END { printf "%.0f %.0f\n", cpu, jit }'
}

sum() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%d", s }'; }
# share "A..." "B...": sum(A) as a percentage of sum(B).
share() { awk -v a="$(sum $1)" -v b="$(sum $2)" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }

# one_start MODE ROUND: prints "ready_ms=.. cpu_ms=.. idle_mib=.. warm=.. t90=.. first10=.. cpu10=.. jit10=..
# jit_share10=.. jit_share_last5=.. loaded_mib=.. rates=a,b,c cpu=a,b,c jit=a,b,c": cpu and jit are the replica's CPU
# ms and its compiler threads' in each second of load, the 10s their sums over the first 10 s, the shares the JIT's
# part of the replica's CPU (%) in the first 10 s and the last 5.
one_start() {
  local flag="" ready_ms cpu_ms idle rates=() cpus=() jits=() s line warm t90 first10 loaded used share10 share_last5
  [ "$1" = with ] && flag="-XX:AOTCache=$cache"
  bench_app_start "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/q/health/ready" "$work/replica-$1-$2.log" \
    env "${env_of_replica[@]}" QUARKUS_HTTP_PORT="$BENCH_PORT" QUARKUS_MANAGEMENT_PORT="$BENCH_MANAGEMENT_PORT" \
    "$java_home/bin/java" --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED $flag $BENCH_AOT_JAVA_OPTS -jar "$jar"
  ready_ms=$(bench_field "$bench_app_ready" ready_ms)
  cpu_ms=$(bench_field "$bench_app_ready" cpu_ms)
  sleep 2
  idle=$(bench_rss_mib "$bench_app_pid")
  for ((s = 1; s <= BENCH_AOT_LOAD_SECONDS; s++)); do
    python3 "$bench_dir/thread_cpu.py" snapshot "$bench_app_pid" >"$work/threads.before"
    line=$(bench_wrk get.lua "http://127.0.0.1:$BENCH_PORT$BENCH_AOT_PATH" 1 "$work/wrk.log")
    python3 "$bench_dir/thread_cpu.py" snapshot "$bench_app_pid" >"$work/threads.after"
    bench_check "$1 the cache, start $2, second $s" "$line"
    rates+=("$(bench_field "$line" rps | awk '{ printf "%.0f", $1 }')")
    read -r -a used <<<"$(second_cpu "$work/threads.before" "$work/threads.after")"
    cpus+=("${used[0]}") jits+=("${used[1]}")
  done
  loaded=$(bench_rss_mib "$bench_app_pid")
  bench_app_stop
  warm=$(bench_median "${rates[@]: -5}")
  t90=$(printf '%s\n' "${rates[@]}" | awk -v w="$warm" '$1 >= 0.9 * w { print NR; exit }')
  first10=$(printf '%s\n' "${rates[@]:0:10}" | awk '{ s += $1 } END { printf "%d", s }')
  share10=$(share "${jits[*]:0:10}" "${cpus[*]:0:10}") share_last5=$(share "${jits[*]: -5}" "${cpus[*]: -5}")
  echo "ready_ms=$ready_ms cpu_ms=$cpu_ms idle_mib=$idle warm=$warm t90=${t90:-never} first10=$first10" \
    "cpu10=$(sum "${cpus[@]:0:10}") jit10=$(sum "${jits[@]:0:10}") jit_share10=$share10 jit_share_last5=$share_last5" \
    "loaded_mib=$loaded rates=$(IFS=,; echo "${rates[*]}") cpu=$(IFS=,; echo "${cpus[*]}") jit=$(IFS=,; echo "${jits[*]}")"
}

declare -A res
cpu_mark=$(bench_cpu_mark)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  if ((r % 2)); then order=(without with); else order=(with without); fi
  for m in "${order[@]}"; do
    res[$m,$r]=$(one_start "$m" "$r")
    # The JVM says (and goes on without it) when it cannot map a cache: then "with" measured nothing.
    if [ "$m" = with ] && grep -q '\[aot\]' "$work/replica-$m-$r.log"; then
      bench_defects+=("start $r: the JVM did not use the cache: $(grep -m1 '\[aot\]' "$work/replica-$m-$r.log")")
    fi
    bench_say "start $r, $m the cache: ${res[$m,$r]}"
  done
done
cpu=$(bench_cpu_others "$cpu_mark")
load_after=$(uptime)

med() {
  local m=$1 key=$2 r values=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${res[$m,$r]}" "$key" | sed 's/never/999/')"); done
  bench_median "${values[@]}"
}
each() {
  local m=$1 key=$2 r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf '%s%s' "$([ "$r" -gt 1 ] && echo ', ')" "$(bench_field "${res[$m,$r]}" "$key")"; done
}
# rows KEY...: a table row for each way of starting, a cell per key: its median, then every start in brackets; the
# median in bold for a key written KEY*.
rows() {
  local m key
  for m in without with; do
    printf '| %s the cache' "$m"
    for key in "$@"; do
      if [[ $key == *'*' ]]; then printf ' | **%s** (%s)' "$(med "$m" "${key%\*}")" "$(each "$m" "${key%\*}")"
      else printf ' | %s (%s)' "$(med "$m" "$key")" "$(each "$m" "$key")"; fi
    done
    echo ' |'
  done
}

echo "## Start fast, warm fast: one replica with and without the AOT cache"
echo
bench_machine
bench_conditions "$load_start" "$load_after" "$cpu" "replica, Redis, wrk, curl"
echo "- cache: made by a training run (deploy/local/aot.sh: start, ready, 1,200 requests, stop) in ${train_seconds}s," \
  "${cache_mib} MiB; $BENCH_ROUNDS starts each way, interleaved; load: wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS" \
  "GET $BENCH_AOT_PATH in 1 s slices from 2 s after ready"
echo "- JVM options of every measured start (BENCH_AOT_JAVA_OPTS): ${BENCH_AOT_JAVA_OPTS:-none}"
echo
echo "| | time to ready, ms | CPU to ready, ms | RSS idle, MiB | requests in the first 10 s of load | warm req/s (last 5 s) | seconds of load to 90% of warm | RSS loaded, MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
rows 'ready_ms*' 'cpu_ms*' idle_mib first10 warm 't90*' loaded_mib
echo
echo "Medians in the first figure of each cell, every start in brackets. With / without the cache (ratios of" \
  "medians): time to ready $(bench_ratio "$(med with ready_ms)" "$(med without ready_ms)"), CPU to ready" \
  "$(bench_ratio "$(med with cpu_ms)" "$(med without cpu_ms)"), requests in the first 10 s" \
  "$(bench_ratio "$(med with first10)" "$(med without first10)")."
echo
echo "The JIT while the rate climbs: the replica's CPU, and its compiler threads' (C1, C2) part of it:"
echo
echo "| | replica CPU in the first 10 s of load, ms | JIT's part of it, ms | JIT share, first 10 s, % | JIT share, last 5 s, % |"
echo "|---|---:|---:|---:|---:|"
rows cpu10 jit10 'jit_share10*' jit_share_last5
echo
echo "Each start second by second: req/s; the replica's CPU ms; its JIT's CPU ms:"
echo
for m in without with; do
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do
    echo "- $m, start $r: req/s $(bench_field "${res[$m,$r]}" rates); CPU $(bench_field "${res[$m,$r]}" cpu);" \
      "JIT $(bench_field "${res[$m,$r]}" jit)"
  done
done
echo
bench_finish
