#!/usr/bin/env bash
# Tally beside the stack it stands on, in one sitting on one redis-server: a bare Vert.x server with the Vert.x
# Redis client (bench/peer/vertx, the vertx-core and vertx-redis-client versions of Quarkus' BOM, from ~/.m2), the
# same two routes on Tally's Quarkus with none of Tally's features (bench/peer/quarkus: Quarkus REST and the Quarkus
# Redis client alone, the framework's floor) and a tiny Spring Boot WebFlux + Spring Data Redis reactive counter
# (bench/peer/spring), each serving GET / and POST .../increment (one INCRBY). Prints req/s and p99 for each, and
# Tally ÷ each peer, and the Quarkus floor ÷ bare (what the framework keeps of the bare server).
#
#   bench/peer.sh                          # ~7 minutes with the defaults (plus a first Spring build with downloads)
#   BENCH_PEER_BASELINE=/tmp/main-app bench/peer.sh   # also another Tally build (a quarkus-app dir) side by side
#   BENCH_PEER_VARIANTS="no-quota:TALLY_AUTH_QUOTA_ENABLED=false" bench/peer.sh   # also this build with settings
#   BENCH_PEER_FLOOR_VARIANTS="shape:stages=7 headers:headers=5 ends:end-handlers=true metrics:metrics=on" \
#     bench/peer.sh                        # also the Quarkus floor with parts of Tally's request path put back
#
# Settings (environment), with defaults: BENCH_WARMUP_ROUNDS (3), BENCH_WARMUP_SECONDS (10), BENCH_ROUNDS (3),
# BENCH_SECONDS (10), BENCH_PEERS ("vertx quarkus spring"; vertx is always run), BENCH_PEER_VERTX_PORT (18280),
# BENCH_PEER_QUARKUS_PORT (18580), BENCH_PEER_SPRING_PORT (18380),
# BENCH_PEER_BASELINE (unset: a directory holding another Tally build's quarkus-run.jar), BENCH_PEER_VARIANTS (unset:
# space-separated NAME:KEY=VALUE,KEY=VALUE...; each runs this build with those settings added to its environment, on
# the ports after the baseline's, so that what a feature costs is measured in the same sitting), BENCH_PEER_BASELINE_PORT
# (18480, management +1000), BENCH_PEER_FLOOR_VARIANTS (unset: space-separated NAME:KEY=VALUE,KEY=VALUE... with the
# keys stages=N, headers=N, end-handlers=true|false, increment=incrby|script and metrics=on|off; each runs the Quarkus
# floor, on the ports after BENCH_PEER_QUARKUS_PORT, with -Dpeer.stages/-Dpeer.headers/-Dpeer.end-handlers
# (bench/peer/quarkus/.../PeerStages.java: N pass-through handlers on one route at the router's first position, N
# Tally-sized response headers, one headers-end and one end handler per request), -Dpeer.increment (script: each
# increment runs Tally's counter_increment.lua by EVALSHA instead of one INCRBY, QuarkusPeer.java) and, with metrics=on, from its -Pmetrics build (Micrometer's HTTP server metrics,
# as Tally has them); a column NAME ÷ floor each. It splits Tally ÷ floor into the pipeline's shape, headers, end
# handlers and metrics; needs quarkus in BENCH_PEERS), BENCH_PEER_START_TIMEOUT (90 s), and the ports and others
# listed in bench/lib.sh.
# Everything listens on 127.0.0.1; every process started here is stopped by its PID on exit. Exits 1 on a build
# or start failure, a non-2xx response, a socket error or a counter that disagrees with the responses.
# The peers are not part of Tally's Maven build: this script builds them itself (CI never does).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}"
: "${BENCH_PEERS:=vertx quarkus spring}" "${BENCH_PEER_VERTX_PORT:=18280}" "${BENCH_PEER_SPRING_PORT:=18380}"
: "${BENCH_PEER_QUARKUS_PORT:=18580}"
: "${BENCH_PEER_BASELINE_PORT:=18480}" "${BENCH_PEER_START_TIMEOUT:=90}"
bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_WARMUP_SECONDS:1 BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_CONNECTIONS:1 \
  BENCH_WRK_THREADS:1 BENCH_PEER_VERTX_PORT:1 BENCH_PEER_SPRING_PORT:1 BENCH_PEER_QUARKUS_PORT:1 BENCH_PEER_BASELINE_PORT:1 \
  BENCH_PEER_START_TIMEOUT:1
for peer in $BENCH_PEERS; do
  case $peer in vertx | quarkus | spring) ;; *) bench_die "BENCH_PEERS takes vertx, quarkus and spring, got '$peer'" ;; esac
done
[[ " $BENCH_PEERS " == *" vertx "* ]] || bench_die "BENCH_PEERS must include vertx: the ratios are against it"

# Each server's key (in url, pid, label... below), and the variants' ports, computed once here.
declare -A url pid key_of label port_of
taken=" tally baseline vertx quarkus spring " variant_ports=() # the variants' ports, all checked free before a start
# The Tally variants (BENCH_PEER_VARIANTS): NAME on the baseline's port + its position (management +1000).
tally_variants=()
declare -A variant_settings_of
for variant in ${BENCH_PEER_VARIANTS:-}; do
  [[ "$variant" =~ ^[a-z0-9-]+:[A-Z0-9_]+=[^,]*(,[A-Z0-9_]+=[^,]*)*$ ]] ||
    bench_die "BENCH_PEER_VARIANTS: '$variant' is not NAME:KEY=VALUE[,KEY=VALUE...]"
  name=${variant%%:*}
  [[ "$taken" != *" $name "* ]] || bench_die "BENCH_PEER_VARIANTS: the name '$name' is taken"
  taken+="$name "
  tally_variants+=("$name")
  port_of[$name]=$((BENCH_PEER_BASELINE_PORT + ${#tally_variants[@]}))
  variant_ports+=("${port_of[$name]}" $((port_of[$name] + 1000)))
  variant_settings_of[$name]=${variant#*:} label[$name]="Tally, ${variant#*:}"
done
# The floor variants (BENCH_PEER_FLOOR_VARIANTS): key floor_NAME (apart from the Tally variants' names) on
# BENCH_PEER_QUARKUS_PORT + its position, with its -Dpeer.* options and which build of the floor it runs.
floor_variants=() floor_metrics=off
declare -A floor_options_of floor_build_of
for variant in ${BENCH_PEER_FLOOR_VARIANTS:-}; do
  [[ " $BENCH_PEERS " == *" quarkus "* ]] ||
    bench_die "BENCH_PEER_FLOOR_VARIANTS needs quarkus in BENCH_PEERS: each variant is measured against the floor"
  [[ "$variant" =~ ^[a-z0-9-]+:[a-z-]+=[^,]*(,[a-z-]+=[^,]*)*$ ]] ||
    bench_die "BENCH_PEER_FLOOR_VARIANTS: '$variant' is not NAME:KEY=VALUE[,KEY=VALUE...]"
  name=floor_${variant%%:*}
  [[ "$taken" != *" $name "* ]] || bench_die "BENCH_PEER_FLOOR_VARIANTS: the name '${variant%%:*}' is used twice"
  taken+="$name "
  options="" build=plain
  IFS=, read -r -a settings <<<"${variant#*:}"
  for setting in "${settings[@]}"; do
    key=${setting%%=*} value=${setting#*=}
    case $key=$value in
      stages=* | headers=*) [[ "$value" =~ ^[0-9]+$ ]] ||
        bench_die "BENCH_PEER_FLOOR_VARIANTS: $key takes a whole number, got '$value' in '$variant'" ;;
      end-handlers=true | end-handlers=false | increment=incrby) ;;
      increment=script) options+=" -Dpeer.increment-script=$bench_root/src/main/resources/lua/counter_increment.lua" ;;
      metrics=on) build=metrics floor_metrics=on; continue ;;
      metrics=off) continue ;;
      *) bench_die "BENCH_PEER_FLOOR_VARIANTS: '$setting' in '$variant' is not stages=N, headers=N," \
        "end-handlers=true|false, increment=incrby|script or metrics=on|off" ;;
    esac
    options+=" -Dpeer.$key=$value"
  done
  floor_variants+=("$name")
  port_of[$name]=$((BENCH_PEER_QUARKUS_PORT + ${#floor_variants[@]}))
  variant_ports+=("${port_of[$name]}")
  floor_options_of[$name]=$options floor_build_of[$name]=$build label[$name]="Quarkus floor, ${variant#*:}"
done

bench_need wrk:wrk curl:curl redis-cli:redis-tools
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$java_home/bin/java
[ -x "$java" ] || bench_die "$java missing: set JAVA_HOME to a JDK 21+"
m2=${MAVEN_REPO:-$HOME/.m2/repository}
if [ -n "${BENCH_PEER_BASELINE:-}" ]; then
  [ -f "$BENCH_PEER_BASELINE/quarkus-run.jar" ] || bench_die "BENCH_PEER_BASELINE: no quarkus-run.jar in $BENCH_PEER_BASELINE"
fi

# ---- build the peers (before anything runs, so a build never competes with a measurement) ----

# bom_version ARTIFACT: the version Quarkus' BOM (the one Tally's pom names) manages for ARTIFACT.
quarkus_version=$(bench_quarkus_version)
bom=$m2/io/quarkus/quarkus-bom/$quarkus_version/quarkus-bom-$quarkus_version.pom
[ -f "$bom" ] || bench_die "Quarkus BOM $quarkus_version not in $m2: build Tally once (./mvnw package) first"
bom_version() {
  awk -v a="$1" '$0 ~ "<artifactId>" a "</artifactId>" { getline; if (match($0, /<version>[^<]+</)) {
    print substr($0, RSTART + 9, RLENGTH - 10); exit } }' "$bom"
}
vertx_version=$(bom_version vertx-core)
redis_client_version=$(bom_version vertx-redis-client)
netty_version=$(bom_version netty-common)
jackson_version=$(bom_version jackson-core)
vertx_cp=""
for jar in io/vertx/vertx-core/$vertx_version/vertx-core-$vertx_version.jar \
  io/vertx/vertx-redis-client/$redis_client_version/vertx-redis-client-$redis_client_version.jar \
  com/fasterxml/jackson/core/jackson-core/$jackson_version/jackson-core-$jackson_version.jar \
  $(for n in buffer codec codec-dns codec-http codec-http2 codec-socks common handler handler-proxy resolver \
    resolver-dns transport transport-native-unix-common; do
    echo "io/netty/netty-$n/$netty_version/netty-$n-$netty_version.jar"; done); do
  [ -f "$m2/$jar" ] || bench_die "$m2/$jar missing (Quarkus $quarkus_version brings it: build Tally once)"
  vertx_cp+=${vertx_cp:+:}$m2/$jar
done
bench_say "bare peer: vertx-core $vertx_version, vertx-redis-client $redis_client_version, netty $netty_version"

quarkus_dir=$bench_dir/peer/quarkus
quarkus_jar=$quarkus_dir/target/quarkus-app/quarkus-run.jar
if [[ " $BENCH_PEERS " == *" quarkus "* ]]; then
  bench_build_peer Quarkus "$quarkus_dir" "$quarkus_jar" -Dquarkus.platform.version="$quarkus_version"
fi
# The floor with Micrometer's Prometheus registry (its pom's profile metrics, built into target-metrics): only when
# a floor variant asks for it.
quarkus_metrics_jar=$quarkus_dir/target-metrics/quarkus-app/quarkus-run.jar
if [ "$floor_metrics" = on ]; then
  bench_build_peer "Quarkus (metrics)" "$quarkus_dir" "$quarkus_metrics_jar" -Pmetrics -Dquarkus.platform.version="$quarkus_version"
fi
spring_dir=$bench_dir/peer/spring
spring_jar=$spring_dir/target/spring-peer.jar
if [[ " $BENCH_PEERS " == *" spring "* ]]; then
  bench_build_peer Spring "$spring_dir" "$spring_jar"
fi

# ---- start everything: Tally's stack (with its redis-server), then the peers on the same Redis ----

peer_pids=() peer_logs=()
stop_peers() {
  local pid deadline
  for pid in "${peer_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${peer_pids[@]}"; do
    deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  peer_pids=()
}
trap 'stop_peers; bench_stack_stop' EXIT
trap 'exit 130' INT TERM

for port in $BENCH_PEER_VERTX_PORT $BENCH_PEER_QUARKUS_PORT $BENCH_PEER_SPRING_PORT $BENCH_PEER_BASELINE_PORT \
  $((BENCH_PEER_BASELINE_PORT + 1000)) "${variant_ports[@]}"; do
  bench_port_free "$port" || bench_die "port $port is in use; set the BENCH_PEER_*_PORT settings"
done
load_before=$(uptime)
bench_stack_start
raw=$bench_run_dir/bench-raw.log

# start_peer NAME PORT COMMAND...: starts a server in the background (log in the run dir), waits until GET /
# answers; its PID goes to peer_pid.
start_peer() {
  local name=$1 port=$2 deadline=$((SECONDS + BENCH_PEER_START_TIMEOUT))
  shift 2
  "$@" >"$bench_run_dir/$name.log" 2>&1 &
  peer_pid=$!
  peer_pids+=("$peer_pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do
    if ! kill -0 "$peer_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      sed 's/^/  '"$name"': /' "$bench_run_dir/$name.log" | tail -30 >&2
      BENCH_KEEP_RUN_DIR=1
      bench_die "$name did not answer GET / on port $port within ${BENCH_PEER_START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  bench_say "$name ready (pid $peer_pid) on http://127.0.0.1:$port"
}

servers=(tally)
url[tally]=http://127.0.0.1:$BENCH_PORT pid[tally]=$bench_replica_pid
declare -A is_tally=([tally]=1)
# start_tally NAME PORT APP_DIR [KEY=VALUE...]: another Tally replica (a quarkus-app dir) on PORT (management PORT +
# 1000), with the environment deploy/local/up and bench/lib.sh give one, plus the settings given.
start_tally() {
  local name=$1 port=$2 app=$3
  shift 3
  start_peer "$name" "$port" env QUARKUS_HTTP_PORT="$port" \
    QUARKUS_MANAGEMENT_PORT=$((port + 1000)) QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$BENCH_REDIS_PORT" \
    TALLY_INSTANCE_ID="bench-$name" TALLY_OPS_TOKEN="$(cat "$bench_run_dir/ops-token")" TALLY_SESSION_COOKIE_SECURE=false \
    TALLY_AUTH_QUOTA_KEY_RATE="${BENCH_QUOTA_RATE:-1000000}" TALLY_AUTH_QUOTA_ANONYMOUS_RATE="${BENCH_QUOTA_RATE:-1000000}" \
    TALLY_AUTH_ANONYMOUS_SCOPES="$bench_anonymous_scopes" \
    "$@" "$java" --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED ${TALLY_JAVA_OPTS:-} -jar "$app/quarkus-run.jar"
  servers+=("$name") url[$name]=http://127.0.0.1:$port pid[$name]=$peer_pid is_tally[$name]=1
}
if [ -n "${BENCH_PEER_BASELINE:-}" ]; then
  start_tally baseline "$BENCH_PEER_BASELINE_PORT" "$BENCH_PEER_BASELINE"
fi
for name in "${tally_variants[@]}"; do
  IFS=, read -r -a variant_settings <<<"${variant_settings_of[$name]}"
  start_tally "$name" "${port_of[$name]}" "$bench_root/target/quarkus-app" "${variant_settings[@]}"
done
for peer in $BENCH_PEERS; do
  case $peer in
    vertx)
      start_peer bare-vertx "$BENCH_PEER_VERTX_PORT" "$java" -cp "$vertx_cp" "$bench_dir/peer/vertx/BarePeer.java" \
        "$BENCH_PEER_VERTX_PORT" "$BENCH_REDIS_PORT"
      url[vertx]=http://127.0.0.1:$BENCH_PEER_VERTX_PORT key_of[vertx]=peer:vertx: ;;
    quarkus)
      start_peer quarkus-rest "$BENCH_PEER_QUARKUS_PORT" "$java" -Dquarkus.http.port="$BENCH_PEER_QUARKUS_PORT" \
        -Dquarkus.redis.hosts="redis://127.0.0.1:$BENCH_REDIS_PORT" -jar "$quarkus_jar"
      url[quarkus]=http://127.0.0.1:$BENCH_PEER_QUARKUS_PORT key_of[quarkus]=peer:quarkus: ;;
    spring)
      start_peer spring-webflux "$BENCH_PEER_SPRING_PORT" "$java" -jar "$spring_jar" --server.address=127.0.0.1 \
        --server.port="$BENCH_PEER_SPRING_PORT" --spring.data.redis.host=127.0.0.1 \
        --spring.data.redis.port="$BENCH_REDIS_PORT"
      url[spring]=http://127.0.0.1:$BENCH_PEER_SPRING_PORT key_of[spring]=peer:spring: ;;
  esac
  servers+=("$peer") pid[$peer]=$peer_pid
  [ "$peer" = quarkus ] || continue
  # The floor variants, beside the floor: the same jar (or its metrics build) with their -Dpeer.* options.
  for name in "${floor_variants[@]}"; do
    jar=$quarkus_jar
    [ "${floor_build_of[$name]}" = plain ] || jar=$quarkus_metrics_jar
    # shellcheck disable=SC2086 # the options are words without spaces (checked above), or none
    start_peer "quarkus-floor-${name#floor_}" "${port_of[$name]}" "$java" -Dquarkus.http.port="${port_of[$name]}" \
      -Dquarkus.redis.hosts="redis://127.0.0.1:$BENCH_REDIS_PORT" ${floor_options_of[$name]} -jar "$jar"
    servers+=("$name") url[$name]=http://127.0.0.1:${port_of[$name]} pid[$name]=$peer_pid key_of[$name]=peer:quarkus:
  done
done
# bench_cpu_mark (lib.sh) counts the replicas' CPU as the benchmark's own: the peers are part of this one.
bench_replica_pids+=" ${peer_pids[*]}"

# increment SERVER NAME SECONDS: wrk increments on a fresh counter, checked against the counter's value (Tally:
# its API, on the same server; a peer: the Redis key it increments).
increment() {
  local line value ok
  if [ -n "${is_tally[$1]:-}" ]; then
    bench_increment "${url[$1]}/api/v1/counters/$2" "${url[$1]}/api/v1/counters/$2" "$3" "$raw"
    return
  fi
  line=$(bench_wrk increment.lua "${url[$1]}/api/v1/counters/$2/increment" "$3" "$raw")
  sleep 0.5 # let the last in-flight requests finish
  value=$(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" GET "${key_of[$1]}$2")
  ok=$(($(bench_field "$line" requests) - $(bench_field "$line" non2xx)))
  echo "$line counter=${value:-?} unaccounted=$((${value:-0} - ok))"
}

# warm_check WHAT LINE: a warm-up round's wrong answers are defects like a measured round's; its socket errors
# (wrk's 2 s timeout hit by a JVM that is still cold, on a busy machine) are only noted in the report.
warm_notes=()
warm_check() {
  local errors
  errors=$(bench_field "$2" socket_errors)
  [ "$errors" -eq 0 ] || warm_notes+=("$1: $errors socket errors (cold JVM)")
  bench_check "$1" "$(sed 's/socket_errors=[0-9]*/socket_errors=0/; s/unaccounted=\([0-9]*\)/unaccounted_warm=\1/' <<<"$2")"
  local unaccounted
  unaccounted=$(bench_field "$2" unaccounted)
  if [ -n "$unaccounted" ] && { [ "$unaccounted" -lt 0 ] || [ "$unaccounted" -gt $((BENCH_CONNECTIONS + errors)) ]; }; then
    bench_defects+=("$1: counter is $(bench_field "$2" counter), $unaccounted more than the 2xx responses")
  fi
}

for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do
  summary=""
  for s in "${servers[@]}"; do
    line=$(increment "$s" "peer-$$-$s-w$r" "$BENCH_WARMUP_SECONDS"); warm_check "warm-up $r $s increment" "$line"
    summary+=" $s: increment $(bench_field "$line" rps),"
    line=$(bench_wrk get.lua "${url[$s]}/" "$BENCH_WARMUP_SECONDS" "$raw"); warm_check "warm-up $r $s GET /" "$line"
    summary+=" GET / $(bench_field "$line" rps);"
  done
  bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS (not counted, req/s):$summary"
done

declare -A inc get
cpu_mark=$(bench_cpu_mark)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  summary=""
  for s in "${servers[@]}"; do
    inc[$s,$r]=$(increment "$s" "peer-$$-$s-m$r" "$BENCH_SECONDS"); bench_check "round $r $s increment" "${inc[$s,$r]}"
    get[$s,$r]=$(bench_wrk get.lua "${url[$s]}/" "$BENCH_SECONDS" "$raw"); bench_check "round $r $s GET /" "${get[$s,$r]}"
    summary+=" $s: increment $(bench_field "${inc[$s,$r]}" rps), GET / $(bench_field "${get[$s,$r]}" rps);"
  done
  bench_say "round $r/$BENCH_ROUNDS (req/s):$summary"
done
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")

# median SERVER ARRAY KEY: the median of one figure over the measured rounds.
median() {
  local -n lines=$2
  local values=() r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${lines[$1,$r]}" "$3")"); done
  bench_median "${values[@]}"
}
# spread SERVER ARRAY KEY: "min–max" over the measured rounds.
spread() {
  local -n lines=$2
  local r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${lines[$1,$r]}" "$3"; done |
    sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f–%.0f", lo, hi }'
}

label+=([tally]="Tally (this build)" [baseline]="Tally (${BENCH_PEER_BASELINE:-})" [vertx]="bare Vert.x + Redis client"
  [quarkus]="Quarkus REST + Redis client, no Tally features" [spring]="Spring WebFlux + Data Redis")
# The ratio columns, NUMERATOR:DENOMINATOR:TITLE: Tally against each peer; the Quarkus floor against the bare server
# (what the framework alone keeps of it) and Tally against that floor (what Tally's own features keep of it).
ratios=("tally:vertx:Tally ÷ bare")
[ -z "${url[baseline]:-}" ] || ratios+=("tally:baseline:this build ÷ baseline")
[ -z "${url[quarkus]:-}" ] || ratios+=("quarkus:vertx:Quarkus floor ÷ bare" "tally:quarkus:Tally ÷ Quarkus floor")
for name in "${floor_variants[@]}"; do ratios+=("$name:quarkus:${name#floor_} ÷ floor"); done
[ -z "${url[spring]:-}" ] || ratios+=("tally:spring:Tally ÷ Spring")
echo "## Tally beside a bare Vert.x server, its Quarkus floor and a Spring WebFlux counter (bench/peer.sh)"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" "the servers, Redis and wrk"
echo "- peers: vertx-core $vertx_version + vertx-redis-client $redis_client_version (netty $netty_version)," \
  "$(nproc) verticles, pool 32; Quarkus $quarkus_version REST + Redis client (bench/peer/quarkus), pool 32;" \
  "Spring Boot $(sed -n '/<parent>/,/<\/parent>/s:.*<version>\(.*\)</version>.*:\1:p' "$spring_dir/pom.xml")" \
  "WebFlux + Data Redis reactive (Lettuce), defaults; all on redis-server port $BENCH_REDIS_PORT"
[ ${#floor_variants[@]} -eq 0 ] ||
  echo "- floor variants (BENCH_PEER_FLOOR_VARIANTS, bench/peer/quarkus PeerStages.java): stages=N: N handlers on one" \
    "route at the router's first position, each calling next(); headers=N: N response headers of Tally's names and" \
    "sizes, put by the first; end-handlers=true: one headers-end and one end handler per request, reading the clock;" \
    "increment=script: an increment runs Tally's counter_increment.lua (EVALSHA, without Tally's deadline prologue);" \
    "metrics=on: the floor's -Pmetrics build (quarkus-micrometer-registry-prometheus, Micrometer's HTTP server" \
    "metrics as in Tally)"
echo "- warm-up: $BENCH_WARMUP_ROUNDS x ${BENCH_WARMUP_SECONDS}s of increment then GET / per server, not counted;" \
  "measured: $BENCH_ROUNDS rounds of ${BENCH_SECONDS}s each, interleaved across servers; wrk -t$BENCH_WRK_THREADS" \
  "-c$BENCH_CONNECTIONS; median (range)"
echo
printf '| |'; for s in "${servers[@]}"; do printf ' %s |' "${label[$s]}"; done
for r in "${ratios[@]}"; do printf ' %s |' "${r#*:*:}"; done; echo
printf '|---|'; for s in "${servers[@]}" "${ratios[@]}"; do printf -- '---:|'; done; echo
# ratio_cells FUNCTION ARGS...: one cell per ratio column, FUNCTION SERVER ARGS... giving each side's figure.
ratio_cells() {
  local r num den rest
  for r in "${ratios[@]}"; do
    IFS=: read -r num den rest <<<"$r"
    printf ' %s |' "$(bench_ratio "$("$1" "$num" "${@:2}")" "$("$1" "$den" "${@:2}")")"
  done
}
rss_of() { bench_rss_mib "${pid[$1]}"; }
# row LABEL ARRAY KEY FORMAT: medians (with their range for rates) per server, then the ratios of the medians.
row() {
  local s
  printf '| %s |' "$1"
  for s in "${servers[@]}"; do
    if [ "$3" = rps ]; then
      printf " **%.0f** (%s) |" "$(median "$s" "$2" "$3")" "$(spread "$s" "$2" "$3")"
    else
      printf " $4 |" "$(median "$s" "$2" "$3")"
    fi
  done
  ratio_cells median "$2" "$3"
  echo
}
row "GET / req/s" get rps
row "GET / p99 ms" get p99_ms "%.2f"
row "POST increment req/s" inc rps
row "increment p99 ms" inc p99_ms "%.2f"
printf '| RSS after the runs, MiB |'
for s in "${servers[@]}"; do printf ' %s |' "$(rss_of "$s")"; done
ratio_cells rss_of
echo
echo
[ ${#warm_notes[@]} -eq 0 ] || printf -- '- note, not counted: %s\n' "${warm_notes[@]}"
bench_finish
