#!/usr/bin/env bash
# Soak: a mixed locust load (bench/locustfile.py: browsers, API clients, job producers, live watchers, every answer
# verified) through Nginx over TLS on BENCH_REPLICAS replicas for SOAK_MINUTES, sampling every SOAK_SAMPLE_SECONDS
# each replica's RSS, heap after GC, threads and file descriptors (/proc and /q/metrics) and Redis' used_memory,
# key count and job stream length (bench/sampler.py). At the end bench/report.py fits a trend per resource (robust
# to warm-up) and writes the HTML report with its plots to SOAK_REPORTS/<UTC date and time>/index.html. See
# bench/README.md.
#
#   bench/soak.sh                               # 30 minutes
#   SOAK_MINUTES=2 bench/soak.sh                # the short version (CI-sized)
#   SOAK_FAULTS=on SOAK_MINUTES=30 bench/soak.sh  # with every fault on the way (below)
#   SOAK_FAULTS=redis-restart,worker-kill SOAK_MINUTES=3 bench/soak.sh   # with some of them
#
# The soak runs its own redis-server (appendonly yes, appendfsync SOAK_APPENDFSYNC, no RDB) and the replicas reach
# it through bench/faultproxy.py, a TCP proxy that adds latency, stalls or resets that link on command. Faults
# (SOAK_FAULTS: off, on = all, or a comma-separated list, injected in that order, spread evenly from SOAK_FAULT_FROM
# to SOAK_FAULT_TO of the run, 0.2 and 0.8 by default; each marked on the plots and followed by a check that the service recovered by itself and
# that the users' loss counters did not move): replica-kill (kill -9 replica 1), replica-term (SIGTERM replica 2,
# a rolling restart), redis-freeze (SIGSTOP 3 s), redis-restart (20 increments acknowledged, then at once kill -9
# of Redis and a restart from its AOF: all 20 must be there), worker-kill (6 sleep jobs of 12 s, kill -9 of the
# replica running most of them: all 6 must succeed, those on it at a second attempt, after the visibility
# timeout), link-latency (+SOAK_LINK_LATENCY_MS each way on every chunk for 10 s), link-stall (nothing passes for
# 5 s, connections held), link-reset (every Redis connection closed with a TCP RST).
#
# Fails (exit 1) on any failed request (with faults: only on losses, since a request cut by a fault may fail), any
# wrong count, lost session or lost job, a fault's own check, a service that did not recover within 120 s after a
# fault, or a resource trend beyond its bound per hour (bench/report.py says how it is fitted); the last line
# states the figures. Settings (environment), with defaults: SOAK_MINUTES (30), SOAK_USERS (160: about half the
# knee, which bench/stress.sh measured at 320 users, 431 req/s, on a quiet 2-core machine),
# SOAK_SAMPLE_SECONDS (5), SOAK_WARMUP_SECONDS (a third of the run, 30..120: not fitted), SOAK_FAULTS (off),
# SOAK_RETENTION_SECONDS (30: idempotency keys expire this fast here, so that the key count levels off within the
# run), SOAK_JOB_RETENTION_SECONDS (120, at least 90: a job record must outlive a takeover after its worker was
# killed), SOAK_JAVA_OPTS (-Xms256m -Xmx256m -XX:+AlwaysPreTouch: a fixed heap, as in a pod, so RSS shows what is
# not heap), SOAK_FULL_GC_SECONDS (60: each replica gets a full collection, jcmd GC.run, this often, so that heap
# after GC is its live set; 0 = never, and then G1 may not report one in a whole soak; its pauses are in the
# latencies), SOAK_APPENDFSYNC (everysec, as deploy/local/up), SOAK_LINK_LATENCY_MS (100), SOAK_PROXY_PORT and
# SOAK_PROXY_CONTROL_PORT (BENCH_REDIS_PORT + 1 and + 2), SOAK_REPORTS (bench/reports), bounds
# SOAK_BOUND_<metric> per hour and SOAK_FLOOR_<metric> (see bench/report.py), BENCH_REPLICAS (3) and the ports of
# bench/lib.sh.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # locust imports the locustfile: no __pycache__ in bench/
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SOAK_MINUTES:=30}" "${SOAK_USERS:=160}" "${SOAK_SAMPLE_SECONDS:=5}" "${SOAK_FAULTS:=off}"
: "${SOAK_RETENTION_SECONDS:=30}" "${SOAK_JOB_RETENTION_SECONDS:=120}" "${SOAK_REPORTS:=$bench_dir/reports}" "${BENCH_PYTHON:=/usr/bin/python3}"
: "${SOAK_JAVA_OPTS:=-Xms256m -Xmx256m -XX:+AlwaysPreTouch}" "${SOAK_APPENDFSYNC:=everysec}" "${SOAK_LINK_LATENCY_MS:=100}"
: "${SOAK_PROXY_PORT:=$((BENCH_REDIS_PORT + 1))}" "${SOAK_PROXY_CONTROL_PORT:=$((BENCH_REDIS_PORT + 2))}"
: "${SOAK_FAULT_FROM:=0.2}" "${SOAK_FAULT_TO:=0.8}" "${SOAK_FULL_GC_SECONDS:=60}"
[[ "$SOAK_FAULT_FROM $SOAK_FAULT_TO" =~ ^0?\.[0-9]+\ 0?\.[0-9]+$ ]] || bench_die "SOAK_FAULT_FROM and SOAK_FAULT_TO must be shares of the run (0.1 .. 0.9)"
run_s=$((SOAK_MINUTES * 60))
warmup_default=$((run_s / 3)); [ $warmup_default -le 120 ] || warmup_default=120; [ $warmup_default -ge 30 ] || warmup_default=30
: "${SOAK_WARMUP_SECONDS:=$warmup_default}"
BENCH_REPLICAS=${SOAK_REPLICAS:-3}
BENCH_NGINX=on
bench_settings SOAK_MINUTES:1 SOAK_USERS:4 SOAK_SAMPLE_SECONDS:1 SOAK_WARMUP_SECONDS:0 SOAK_RETENTION_SECONDS:5 \
  SOAK_JOB_RETENTION_SECONDS:90 SOAK_LINK_LATENCY_MS:1 SOAK_FULL_GC_SECONDS:0 BENCH_REPLICAS:1
all_faults=replica-kill,link-latency,replica-term,link-stall,redis-freeze,worker-kill,link-reset,redis-restart
[ "$SOAK_FAULTS" != on ] || SOAK_FAULTS=$all_faults
for fault in ${SOAK_FAULTS//,/ }; do
  [ "$fault" = off ] || [[ ",$all_faults," == *",$fault,"* ]] ||
    bench_die "SOAK_FAULTS must be off, on or a comma-separated list of: $all_faults; got '$SOAK_FAULTS'"
done
[ "$SOAK_FAULTS" = off ] || [ "$BENCH_REPLICAS" -ge 3 ] ||
  bench_die "SOAK_FAULTS needs 3 replicas (two are hit, one stays untouched for the trends)"
for port in "$BENCH_REDIS_PORT" "$SOAK_PROXY_PORT" "$SOAK_PROXY_CONTROL_PORT"; do
  bench_port_free "$port" || bench_die "port $port is in use; set BENCH_REDIS_PORT / SOAK_PROXY_PORT / SOAK_PROXY_CONTROL_PORT"
done
bench_need locust:python3-locust redis-cli:redis-tools curl:curl
"$BENCH_PYTHON" -c 'import matplotlib, websocket' 2>/dev/null ||
  bench_die "$BENCH_PYTHON lacks matplotlib or websocket; install with: apt-get install python3-matplotlib python3-websocket"

report_dir=$SOAK_REPORTS/$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$report_dir"
sampler_pid="" locust_pid="" faultproxy_pid="" redis_pid="" redis_dir=""
stop_all() {
  local pid
  for pid in $locust_pid $sampler_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $locust_pid $sampler_pid; do wait "$pid" 2>/dev/null || true; done
  bench_stack_stop
  for pid in $faultproxy_pid $redis_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $faultproxy_pid $redis_pid; do wait "$pid" 2>/dev/null || true; done
  [ -z "$redis_dir" ] || rm -rf "$redis_dir"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Expiring state expires fast, so that a key count that still grows at the end is a leak, not retention.
# A job record must outlive a takeover: the visibility timeout (30 s) after its worker died, plus the run and a poll.
export TALLY_COUNTER_IDEMPOTENCY_RETENTION=${SOAK_RETENTION_SECONDS}s TALLY_JOB_RETENTION=${SOAK_JOB_RETENTION_SECONDS}s
export TALLY_JAVA_OPTS=$SOAK_JAVA_OPTS
# The soak runs Redis itself (the launcher would end the run when its Redis exits), with its append-only file, and
# the replicas reach it through bench/faultproxy.py, which slows, stalls or resets that link on command.
redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/tally-soak-redis.XXXXXX")
redis_start() { # starts redis-server on the soak's data dir (loading its AOF if there is one); waits for PONG
  redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --dir "$redis_dir" --appendonly yes \
    --appendfsync "$SOAK_APPENDFSYNC" --save '' --maxmemory 256mb --maxmemory-policy noeviction \
    --logfile "$redis_dir/redis.log" &
  redis_pid=$!
  local i
  for i in $(seq 200); do
    [ "$(redis-cli -p "$BENCH_REDIS_PORT" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  bench_die "redis-server did not answer PONG within 20 s; see $redis_dir/redis.log"
}
redis_start
"$BENCH_PYTHON" "$bench_dir/faultproxy.py" "$SOAK_PROXY_PORT" "$BENCH_REDIS_PORT" "$SOAK_PROXY_CONTROL_PORT" \
  >"$report_dir/faultproxy.log" 2>&1 &
faultproxy_pid=$!
for _ in $(seq 50); do bench_port_free "$SOAK_PROXY_CONTROL_PORT" || break; sleep 0.1; done
BENCH_REDIS_URL=redis://127.0.0.1:$SOAK_PROXY_PORT bench_stack_start
unset TALLY_JAVA_OPTS TALLY_COUNTER_IDEMPOTENCY_RETENTION TALLY_JOB_RETENTION
proxy=https://127.0.0.1:$BENCH_HTTPS_PORT
cacert=$bench_run_dir/tls/cert.pem
curl -sSf --max-time 5 --cacert "$cacert" "$proxy/" >/dev/null || bench_die "GET $proxy/ through Nginx failed"

started=$(date +%s.%N)
SAMPLER_REDIS_LINK_PORT=$SOAK_PROXY_PORT SAMPLER_FULL_GC_SECONDS=$SOAK_FULL_GC_SECONDS "$BENCH_PYTHON" "$bench_dir/sampler.py" loop "$bench_run_dir" "$BENCH_REPLICAS" "$BENCH_MANAGEMENT_PORT" \
  "$BENCH_REDIS_PORT" "$SOAK_SAMPLE_SECONDS" "$report_dir/samples.csv" 2>"$report_dir/sampler.log" &
sampler_pid=$!
verify=$report_dir/verify.json
TALLY_CA=$cacert TALLY_VERIFY_OUT=$verify TALLY_RUN_ID=soak$$ \
  locust -f "$bench_dir/locustfile.py" --headless --host "$proxy" -u "$SOAK_USERS" -r "$(((SOAK_USERS + 9) / 10))" \
  -t "${run_s}s" --stop-timeout 30 --csv "$report_dir/locust" --csv-full-history --loglevel WARNING \
  --logfile "$report_dir/locust.log" >"$report_dir/locust.out" 2>&1 &
locust_pid=$!
bench_say "soak: $SOAK_USERS users for ${SOAK_MINUTES} min on $BENCH_REPLICAS replicas (locust pid $locust_pid," \
  "sampler pid $sampler_pid, faults $SOAK_FAULTS), report in $report_dir"

# --- faults: at set shares of the run, each followed by a check that the service came back by itself and that
# nothing was lost: the users' verification (rewritten every 2 s by the locustfile) and the fault's own check ---
echo "t,label" >"$report_dir/faults.csv"
fault_notes=() fault_failures=()
losses() { # the sum of the loss counters in the users' summary so far
  "$BENCH_PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(sum(s[k] for k in ("increments_uncertain", "counters_wrong", "sessions_wrong", "sessions_lost", "jobs_lost",
                         "jobs_wrong", "live_wrong")))' "$verify" 2>/dev/null || echo 0
}
await_replica() { # N OLD_PID: until replica N runs under a new PID and is ready; prints the seconds it took
  local n=$1 old=$2 from=$SECONDS pid
  while [ $((SECONDS - from)) -lt 120 ]; do
    pid=$(cat "$bench_run_dir/replica-$n.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$pid" != "$old" ] &&
      curl -sf "http://127.0.0.1:$((BENCH_MANAGEMENT_PORT + n - 1))/q/health/ready" >/dev/null; then
      echo $((SECONDS - from)); return 0
    fi
    sleep 0.5
  done
  echo "not within 120"
}
await_service() { # until every replica is ready and an increment through Nginx succeeds; prints the seconds
  local from=$SECONDS n ok
  while [ $((SECONDS - from)) -lt 120 ]; do
    ok=1
    for ((n = 0; n < BENCH_REPLICAS; n++)); do
      curl -sf --max-time 2 "http://127.0.0.1:$((BENCH_MANAGEMENT_PORT + n))/q/health/ready" >/dev/null || ok=""
    done
    [ -n "$ok" ] && curl -sf --max-time 2 --cacert "$cacert" -X POST "$proxy/api/v1/counters/soak$$-probe/increment" \
      >/dev/null && { echo $((SECONDS - from)); return 0; }
    sleep 0.5
  done
  echo "not within 120"
}
proxy_says() { # COMMAND: one command to bench/faultproxy.py's control port; prints its answer
  local reply
  exec 4<>"/dev/tcp/127.0.0.1/$SOAK_PROXY_CONTROL_PORT" && printf '%s\n' "$1" >&4 && read -r reply <&4
  exec 4>&-
  echo "$reply"
}
job_field() { # JSON FIELD: one top-level field of a job's JSON
  "$BENCH_PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null
}
redis_restart() { # kill -9 of Redis right after acknowledged increments; it must come back from its AOF with them
  local counter=soak$$-aof-$1 i acked=0 value
  for i in $(seq 20); do
    curl -sf --max-time 5 --cacert "$cacert" -X POST "$proxy/api/v1/counters/$counter/increment" >/dev/null &&
      acked=$((acked + 1))
  done
  kill -KILL "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
  redis_start >/dev/null
  took=$(await_service)
  value=$(curl -sf --max-time 5 --cacert "$cacert" "$proxy/api/v1/counters/$counter" | sed -n 's/.*"value":\([0-9]*\).*/\1/p')
  check="$acked increments acknowledged just before the kill, ${value:-none} found after the restart"
  [ "${value:-x}" = "$acked" ] && [ "$acked" -gt 0 ] || fault_failures+=("Redis restart: $check")
}
worker_kill() { # submits sleep jobs, kill -9 of the worker running most of them; all must succeed, taken over
  local ids=() id i body worker workers="" victim n pid took_over=0 succeeded=0 from
  for i in $(seq 6); do
    body=$(curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' -d '{"type":"sleep","payload":{"ms":12000}}' \
      --cacert "$cacert" "$proxy/api/v1/jobs") && ids+=("$(job_field "$body" id)")
  done
  from=$SECONDS
  while [ $((SECONDS - from)) -lt 30 ]; do # until every job runs somewhere
    workers=""
    for id in "${ids[@]}"; do
      body=$(curl -sf --max-time 2 --cacert "$cacert" "$proxy/api/v1/jobs/$id" || true)
      [ "$(job_field "$body" status)" = running ] && workers+="$(job_field "$body" worker) "
    done
    [ "$(wc -w <<<"$workers")" -eq "${#ids[@]}" ] && break
    sleep 0.5
  done
  victim=$(tr ' ' '\n' <<<"$workers" | sed '/^$/d' | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
  n=${victim##*-}
  [[ "$n" =~ ^[0-9]+$ ]] || { fault_failures+=("worker kill: no job of ${#ids[@]} ran within 30 s ($workers)"); took="-"; return; }
  pid=$(cat "$bench_run_dir/replica-$n.pid")
  kill -KILL "$pid"
  took=$(await_replica "$n" "$pid")
  from=$SECONDS
  while [ $((SECONDS - from)) -lt 120 ]; do # the visibility timeout (30 s), then the 12 s run again
    succeeded=0 took_over=0
    for id in "${ids[@]}"; do
      body=$(curl -sf --max-time 2 --cacert "$cacert" "$proxy/api/v1/jobs/$id" || true)
      [ "$(job_field "$body" status)" = succeeded ] && succeeded=$((succeeded + 1))
      [ "$(job_field "$body" attempts)" -ge 2 ] 2>/dev/null && took_over=$((took_over + 1))
    done
    [ "$succeeded" -eq "${#ids[@]}" ] && break
    sleep 1
  done
  check="$(grep -o "$victim" <<<"$workers" | wc -l) of ${#ids[@]} running jobs were on $victim (killed);"
  check+=" $succeeded succeeded within $((SECONDS - from)) s, $took_over of them on a second attempt"
  [ "$succeeded" -eq "${#ids[@]}" ] && [ "$took_over" -ge "$(grep -o "$victim" <<<"$workers" | wc -l)" ] ||
    fault_failures+=("worker kill: $check")
}
inject() { # AT_SHARE NAME: waits until that share of the run, then injects the fault NAME and checks after it
  local at=$1 name=$2 wait_s before pid took check="" label
  wait_s=$(awk -v s="$started" -v r="$run_s" -v a="$at" -v n="$(date +%s.%N)" 'BEGIN { w = s + r * a - n; print (w > 0) ? w : 0 }')
  sleep "$wait_s"
  kill -0 "$locust_pid" 2>/dev/null || return 0
  before=$(losses)
  case "$name" in
    replica-kill) label="kill -9 replica 1" ;;
    replica-term) label="SIGTERM replica 2" ;;
    redis-freeze) label="Redis SIGSTOP 3 s" ;;
    redis-restart) label="Redis kill -9, restarted from its AOF" ;;
    worker-kill) label="kill -9 of a worker mid-job" ;;
    link-latency) label="Redis link +${SOAK_LINK_LATENCY_MS} ms each way for 10 s" ;;
    link-stall) label="Redis link stalled 5 s" ;;
    link-reset) label="Redis link reset (RST)" ;;
  esac
  printf '%s,"%s"\n' "$(date +%s.%N)" "$label" >>"$report_dir/faults.csv" # quoted: a label may hold a comma
  case "$name" in
    replica-kill) pid=$(cat "$bench_run_dir/replica-1.pid"); kill -KILL "$pid"; took=$(await_replica 1 "$pid") ;;
    replica-term) pid=$(cat "$bench_run_dir/replica-2.pid"); kill -TERM "$pid"; took=$(await_replica 2 "$pid") ;;
    redis-freeze) kill -STOP "$redis_pid"; sleep 3; kill -CONT "$redis_pid"; took=$(await_service) ;;
    redis-restart) redis_restart "${#fault_notes[@]}" ;;
    worker-kill) worker_kill ;;
    link-latency) proxy_says "latency $SOAK_LINK_LATENCY_MS 10" >/dev/null; sleep 10; took=$(await_service) ;;
    link-stall) proxy_says "stall 5" >/dev/null; sleep 5; took=$(await_service) ;;
    link-reset) check=$(proxy_says reset); took=$(await_service) ;;
  esac
  [[ "$took" =~ ^[0-9]+$ ]] || [ "$took" = "-" ] || fault_failures+=("$label: the service did not recover by itself ($took)")
  sleep 15 # the users' retries, polls and live checks of the affected work end within this (and the summary is rewritten)
  local after
  after=$(losses)
  [ "$after" = "$before" ] || fault_failures+=("$label: the users' loss counters went from $before to $after")
  fault_notes+=("$label: recovered in ${took} s${check:+ ($check)}, losses before $before, 15 s after $after")
  bench_say "fault: ${fault_notes[-1]}"
}
if [ "$SOAK_FAULTS" != off ]; then # spread evenly from SOAK_FAULT_FROM to SOAK_FAULT_TO of the run
  IFS=, read -r -a faults <<<"$SOAK_FAULTS"
  for ((i = 0; i < ${#faults[@]}; i++)); do
    inject "$(awk -v i=$i -v n=${#faults[@]} -v a="$SOAK_FAULT_FROM" -v b="$SOAK_FAULT_TO" \
      'BEGIN { printf "%.3f", (n == 1) ? a : a + (b - a) * i / (n - 1) }')" "${faults[i]}"
  done
fi

locust_status=0
wait "$locust_pid" || locust_status=$?
locust_pid=""
sleep "$SOAK_SAMPLE_SECONDS"
kill -TERM "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
[ -s "$verify" ] || bench_die "locust left no verification summary (exit $locust_status); see $report_dir/locust.out"
# Every accepted job was polled to its end by its producer; the stream must be empty too (none stuck or lost in it).
stream_left=$(redis-cli -p "$BENCH_REDIS_PORT" XLEN 'tally:{jobs}:stream')

{
  echo "title=Tally soak: $SOAK_USERS users, $SOAK_MINUTES min, $BENCH_REPLICAS replicas, faults $SOAK_FAULTS"
  echo "started=$started"
  echo "fit_from=$(awk -v s="$started" -v w="$SOAK_WARMUP_SECONDS" 'BEGIN { printf "%.3f", s + w }')"
  echo "settle_s=$SOAK_WARMUP_SECONDS"
  echo "minutes=$SOAK_MINUTES"
  echo "users=$SOAK_USERS"
  echo "faults=$SOAK_FAULTS"
  env | sed -n 's/^SOAK_BOUND_\([a-z_]*\)=/bound_\1=/p; s/^SOAK_FLOOR_\([a-z_]*\)=/floor_\1=/p'
  java=$(readlink -e "/proc/$(cat "$bench_run_dir/replica-3.pid" 2>/dev/null || echo "$bench_replica_pid")/exe" || command -v java)
  echo "machine1=date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$bench_root" rev-parse --short HEAD)"
  echo "machine2=machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM"
  echo "machine3=software: $("$java" -version 2>&1 | sed -n 2p); $(redis-server --version | cut -d' ' -f1-3); $(nginx -v 2>&1); locust $(dpkg-query -W -f '${Version}' python3-locust 2>/dev/null || echo '?')"
  echo "machine4=load at the end: $(uptime | sed 's/.*load average: //') (1, 5, 15 min; the machine may be shared)"
  echo "machine5=settings: warm-up ${SOAK_WARMUP_SECONDS}s not fitted, samples every ${SOAK_SAMPLE_SECONDS}s, idempotency retention ${SOAK_RETENTION_SECONDS}s, job retention ${SOAK_JOB_RETENTION_SECONDS}s, JVM $SOAK_JAVA_OPTS, Redis appendonly yes appendfsync $SOAK_APPENDFSYNC behind bench/faultproxy.py"
  echo "stream_left=$stream_left"
  i=0
  for note in "${fault_notes[@]}"; do i=$((i + 1)); echo "machine_fault_$i=fault: $note"; done
  i=0
  for note in "${fault_failures[@]}"; do i=$((i + 1)); echo "fault_failed_$i=$note"; done
} >"$report_dir/meta.env"

status=0
"$BENCH_PYTHON" "$bench_dir/report.py" "$report_dir" >"$report_dir/verdict.txt" || status=$?
for note in "${fault_notes[@]}"; do echo "soak: fault $note"; done
cat "$report_dir/verdict.txt"
exit $status
