#!/usr/bin/env bash
# Soak: a mixed locust load (bench/locustfile.py: browsers, API clients, job producers, live watchers, every answer
# verified) through Nginx over TLS on BENCH_REPLICAS replicas for SOAK_MINUTES, sampling every SOAK_SAMPLE_SECONDS
# each replica's RSS, heap after GC, threads and file descriptors (/proc and /q/metrics) and Redis' used_memory,
# key count and job stream length (bench/sampler.py). At the end bench/report.py fits a linear trend per resource
# and writes the HTML report with its plots to SOAK_REPORTS/<UTC date and time>/index.html. See bench/README.md.
#
#   bench/soak.sh                               # 30 minutes
#   SOAK_MINUTES=2 bench/soak.sh                # the short version (CI-sized)
#   SOAK_FAULTS=on SOAK_MINUTES=5 bench/soak.sh # with kill -9, SIGTERM and a frozen Redis on the way
#
# Fails (exit 1) on any failed request (with faults: only on losses, since a request cut by a kill may fail), any
# wrong count, lost session or lost job, or a resource trend beyond its bound per hour; the last line states the
# figures. Settings (environment), with defaults: SOAK_MINUTES (30), SOAK_USERS (40), SOAK_SAMPLE_SECONDS (5),
# SOAK_WARMUP_SECONDS (a third of the run, 30..120: not fitted), SOAK_FAULTS (off), SOAK_RETENTION_SECONDS (30:
# idempotency keys expire this fast here, so that the key count levels off within the run),
# SOAK_JOB_RETENTION_SECONDS (120, at least 90: a job record must outlive a takeover after its worker was killed),
# SOAK_JAVA_OPTS (-Xms256m -Xmx256m -XX:+AlwaysPreTouch: a fixed heap, as in a pod, so RSS shows what is not
# heap), SOAK_REPORTS (bench/reports), bounds SOAK_BOUND_<metric> per hour and SOAK_FLOOR_<metric> (see
# bench/report.py), BENCH_REPLICAS (3) and the ports of bench/lib.sh.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # locust imports the locustfile: no __pycache__ in bench/
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SOAK_MINUTES:=30}" "${SOAK_USERS:=40}" "${SOAK_SAMPLE_SECONDS:=5}" "${SOAK_FAULTS:=off}"
: "${SOAK_RETENTION_SECONDS:=30}" "${SOAK_JOB_RETENTION_SECONDS:=120}" "${SOAK_REPORTS:=$bench_dir/reports}" "${BENCH_PYTHON:=/usr/bin/python3}"
: "${SOAK_JAVA_OPTS:=-Xms256m -Xmx256m -XX:+AlwaysPreTouch}"
run_s=$((SOAK_MINUTES * 60))
warmup_default=$((run_s / 3)); [ $warmup_default -le 120 ] || warmup_default=120; [ $warmup_default -ge 30 ] || warmup_default=30
: "${SOAK_WARMUP_SECONDS:=$warmup_default}"
BENCH_REPLICAS=${SOAK_REPLICAS:-3}
BENCH_NGINX=on
bench_settings SOAK_MINUTES:1 SOAK_USERS:4 SOAK_SAMPLE_SECONDS:1 SOAK_WARMUP_SECONDS:0 SOAK_RETENTION_SECONDS:5 \
  SOAK_JOB_RETENTION_SECONDS:90 \
  BENCH_REPLICAS:1
case "$SOAK_FAULTS" in on | off) ;; *) bench_die "SOAK_FAULTS must be on or off, got '$SOAK_FAULTS'" ;; esac
[ "$SOAK_FAULTS" = off ] || [ "$BENCH_REPLICAS" -ge 3 ] ||
  bench_die "SOAK_FAULTS=on needs 3 replicas (two are hit, one stays untouched for the trends)"
bench_need locust:python3-locust redis-cli:redis-tools curl:curl
"$BENCH_PYTHON" -c 'import matplotlib, websocket' 2>/dev/null ||
  bench_die "$BENCH_PYTHON lacks matplotlib or websocket; install with: apt-get install python3-matplotlib python3-websocket"

report_dir=$SOAK_REPORTS/$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$report_dir"
sampler_pid="" locust_pid=""
stop_all() {
  local pid
  for pid in $locust_pid $sampler_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $locust_pid $sampler_pid; do wait "$pid" 2>/dev/null || true; done
  bench_stack_stop
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Expiring state expires fast, so that a key count that still grows at the end is a leak, not retention.
# A job record must outlive a takeover: the visibility timeout (30 s) after its worker died, plus the run and a poll.
export TALLY_COUNTER_IDEMPOTENCY_RETENTION=${SOAK_RETENTION_SECONDS}s TALLY_JOB_RETENTION=${SOAK_JOB_RETENTION_SECONDS}s
export TALLY_JAVA_OPTS=$SOAK_JAVA_OPTS
bench_stack_start
unset TALLY_JAVA_OPTS TALLY_COUNTER_IDEMPOTENCY_RETENTION TALLY_JOB_RETENTION
proxy=https://127.0.0.1:$BENCH_HTTPS_PORT
cacert=$bench_run_dir/tls/cert.pem
curl -sSf --max-time 5 --cacert "$cacert" "$proxy/" >/dev/null || bench_die "GET $proxy/ through Nginx failed"

started=$(date +%s.%N)
"$BENCH_PYTHON" "$bench_dir/sampler.py" loop "$bench_run_dir" "$BENCH_REPLICAS" "$BENCH_MANAGEMENT_PORT" \
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

# --- faults: at set shares of the run, each followed by a check that the service came back by itself and that the
# users' verification (rewritten every 2 s by the locustfile) found nothing lost meanwhile ---
echo "t,label" >"$report_dir/faults.csv"
fault_notes=()
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
inject() { # AT_SHARE LABEL: waits until that share of the run, then runs the fault named by LABEL
  local at=$1 label=$2 wait_s before pid took
  wait_s=$(awk -v s="$started" -v r="$run_s" -v a="$at" -v n="$(date +%s.%N)" 'BEGIN { w = s + r * a - n; print (w > 0) ? w : 0 }')
  sleep "$wait_s"
  kill -0 "$locust_pid" 2>/dev/null || return 0
  before=$(losses)
  printf '%s,%s\n' "$(date +%s.%N)" "$label" >>"$report_dir/faults.csv"
  case "$label" in
    "kill -9 replica 1") pid=$(cat "$bench_run_dir/replica-1.pid"); kill -KILL "$pid"; took=$(await_replica 1 "$pid") ;;
    "SIGTERM replica 2") pid=$(cat "$bench_run_dir/replica-2.pid"); kill -TERM "$pid"; took=$(await_replica 2 "$pid") ;;
    "Redis SIGSTOP 3 s")
      kill -STOP "$bench_redis_pid"; sleep 3; kill -CONT "$bench_redis_pid"
      took=$(for i in $(seq 60); do redis-cli -p "$BENCH_REDIS_PORT" PING 2>/dev/null | grep -q PONG && { echo 3; break; }; sleep 0.5; done) ;;
  esac
  sleep 15 # the users' retries, polls and live checks of the affected work end within this (and the summary is rewritten)
  local after
  after=$(losses)
  fault_notes+=("$label: recovered in ${took:-?} s, losses before $before, 15 s after $after")
  bench_say "fault: ${fault_notes[-1]}"
}
if [ "$SOAK_FAULTS" = on ]; then
  inject 0.25 "kill -9 replica 1"
  inject 0.40 "SIGTERM replica 2"
  inject 0.55 "Redis SIGSTOP 3 s"
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
  echo "machine5=settings: warm-up ${SOAK_WARMUP_SECONDS}s not fitted, samples every ${SOAK_SAMPLE_SECONDS}s, idempotency retention ${SOAK_RETENTION_SECONDS}s, job retention ${SOAK_JOB_RETENTION_SECONDS}s, JVM $SOAK_JAVA_OPTS"
  echo "stream_left=$stream_left"
  i=0
  for note in "${fault_notes[@]}"; do i=$((i + 1)); echo "machine_fault_$i=fault: $note"; done
} >"$report_dir/meta.env"

status=0
"$BENCH_PYTHON" "$bench_dir/report.py" "$report_dir" >"$report_dir/verdict.txt" || status=$?
for note in "${fault_notes[@]}"; do echo "soak: fault $note"; done
cat "$report_dir/verdict.txt"
exit $status
