# Sourced by deploy/local/up: the JDK's AOT cache (JEP 483/514/515, JDK 25+) for the replicas. A cache holds the
# classes a training run loaded and linked, and the method profiles it gathered, so a replica started with it is
# ready sooner and compiles its hot code sooner. It belongs to one build and one JDK: aot_state tells whether the
# cache on disk was made for the jar and JDK at hand, and a replica is given it only then. A stale or missing cache
# never stops a start: the replicas start without it and the launcher says so once. (The JVM itself also refuses a
# cache that does not match its class path and starts without it.)
#
#   TALLY_AOT=auto   (default) use the cache when it matches, else start without it and say how to make one
#   TALLY_AOT=train  as auto, but first make the cache when it is missing or stale: a training run of one replica
#                    under a short scripted workload, against the run's Redis (about half a minute, once per build)
#   TALLY_AOT=off    never use it

# aot_fingerprint JAVA_HOME APP_DIR: what a cache depends on, as one hash: every jar of the application (path,
# size, modification time) and the JDK's exact version.
aot_fingerprint() {
  { (cd "$2" && find . -name '*.jar' -printf '%p %s %T@\n' | LC_ALL=C sort); "$1/bin/java" -version 2>&1; } |
    sha256sum | cut -c1-32
}

# aot_state JAVA_HOME APP_DIR CACHE: prints "fresh", "missing" or "stale".
aot_state() {
  if [ ! -s "$3" ] || [ ! -s "$3.fingerprint" ]; then
    echo missing
  elif [ "$(cat "$3.fingerprint")" = "$(aot_fingerprint "$1" "$2")" ]; then
    echo fresh
  else
    echo stale
  fi
}

# aot_train JAVA_HOME JAR CACHE LOG PORT MANAGEMENT_PORT ENV...: one training run. Starts the jar with
# -XX:AOTCacheOutput and the given environment (NAME=VALUE words, as for env), waits until it is ready, sends a
# workload of every kind of request a replica serves most (one curl process, keep-alive), then stops it with
# SIGTERM: the JVM writes the cache as it exits. Returns 1 (and leaves no cache) when any step fails.
aot_train() {
  local java_home=$1 jar=$2 cache=$3 log=$4 port=$5 mgmt=$6 pid i requests
  shift 6
  rm -f "$cache" "$cache.fingerprint"
  env "$@" QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$mgmt" \
    "$java_home/bin/java" -XX:AOTCacheOutput="$cache" --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED \
    -jar "$jar" >>"$log" 2>&1 &
  pid=$!
  for i in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$mgmt/q/health/ready" && break
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  requests=$(mktemp)
  for i in $(seq 400); do
    printf 'url = "http://127.0.0.1:%s/"\noutput = "/dev/null"\nnext\n' "$port"
    printf 'url = "http://127.0.0.1:%s/api/v1/counters/aot-training-%s/increment"\nrequest = "POST"\noutput = "/dev/null"\nnext\n' "$port" $((i % 8))
    printf 'url = "http://127.0.0.1:%s/api/v1/counters/aot-training-%s"\noutput = "/dev/null"\nnext\n' "$port" $((i % 8))
  done >"$requests"
  for i in $(seq 0 7); do
    printf 'url = "http://127.0.0.1:%s/api/v1/counters/aot-training-%s"\nrequest = "DELETE"\noutput = "/dev/null"\nnext\n' "$port" "$i"
  done >>"$requests"
  curl -s -K "$requests" >/dev/null 2>&1 || true
  rm -f "$requests"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -s "$cache" ]
}

# aot_make JAVA_HOME JAR CACHE LOG PORT MANAGEMENT_PORT ENV...: trains (aot_train) into a temporary file and, when
# that worked, moves it to CACHE with its fingerprint beside it, so a failed or concurrent run never leaves a
# half-written cache in place. Needs JDK 25 or newer (-XX:AOTCacheOutput); returns 1 on an older one or a failure.
# The training replica may write counters, with no quota, whatever the launcher's settings: its workload is the
# increment path, not refusals; its counters are deleted at its end.
aot_make() {
  local java_home=$1 jar=$2 cache=$3 log=$4 version fingerprint tmp
  version=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${version%%.*}" -lt 25 ] 2>/dev/null; then
    echo "the AOT cache needs JDK 25 or newer; $java_home is $version" >>"$log"
    return 1
  fi
  fingerprint=$(aot_fingerprint "$java_home" "$(dirname "$jar")")
  tmp=$cache.$$.tmp
  shift 4
  if aot_train "$java_home" "$jar" "$tmp" "$log" "$1" "$2" "${@:3}" \
    TALLY_AUTH_ANONYMOUS_SCOPES=counters:read,counters:write,counters:admin \
    TALLY_AUTH_QUOTA_ANONYMOUS_RATE=1000000; then
    mv -f "$tmp" "$cache" && printf '%s\n' "$fingerprint" >"$cache.fingerprint"
  else
    rm -f "$tmp" "$tmp.config"
    return 1
  fi
}
