#!/usr/bin/env bash
# Background jobs end to end: jobs/s from submit to succeeded for the no-op handler with 2 worker replicas, and the
# p99 queue lag at half that rate, beside BullMQ's no-op jobs/s (bench/peer/bullmq) and redis-benchmark's XADD rate
# on the same redis-server, in one run on this machine; and each side's workers alone (the jobs queued beforehand,
# without the submit's cost). See bench/README.md.
#
#   bench/jobs.sh          # ~3 minutes with the defaults; progress on stderr, table on stdout
#
# Stack: deploy/local/up with one replica in role api (takes the submissions) plus two worker replicas (role
# worker) started here on the same Redis, stopped by PID on exit. Settings (environment), with defaults:
# BENCH_JOBS (20000 per round), BENCH_WARMUP_ROUNDS (2), BENCH_ROUNDS (3), BENCH_SUBMITTERS (32, hey -c),
# BENCH_LAG_SECONDS (15), BENCH_REDIS_CLIENTS (50), BENCH_REDIS_REQUESTS (500000), BENCH_WORKER_PORT (18190,
# management ports from 19190), BENCH_BULLMQ (on: two BullMQ workers of concurrency 16 on the same Redis, and in
# every round, warm-ups too, a BullMQ burst of BENCH_JOBS with BENCH_SUBMITTERS concurrent adds right after Tally's;
# needs node and npm, and npm ci reaching the registry the first time; off: Tally alone), and the ports listed in
# bench/lib.sh. Exits 1 if a submit was not answered 202, the workers did not record exactly one success per job,
# or BullMQ failed an add or did not complete every job exactly once.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_JOBS:=20000}" "${BENCH_WARMUP_ROUNDS:=2}" "${BENCH_ROUNDS:=3}" "${BENCH_SUBMITTERS:=32}"
: "${BENCH_LAG_SECONDS:=15}" "${BENCH_REDIS_CLIENTS:=50}" "${BENCH_REDIS_REQUESTS:=500000}"
: "${BENCH_WORKER_PORT:=18190}" "${BENCH_WORKER_MANAGEMENT_PORT:=19190}" "${BENCH_BULLMQ:=on}"
bench_settings BENCH_JOBS:100 BENCH_WARMUP_ROUNDS:0 BENCH_ROUNDS:1 BENCH_SUBMITTERS:1 BENCH_LAG_SECONDS:5 \
  BENCH_REDIS_CLIENTS:1 BENCH_REDIS_REQUESTS:1
[[ "$BENCH_BULLMQ" =~ ^(on|off)$ ]] || bench_die "BENCH_BULLMQ must be on or off, got '$BENCH_BULLMQ'"
bench_need hey:hey redis-benchmark:redis-tools redis-cli:redis-tools curl:curl
bullmq_on() { [ "$BENCH_BULLMQ" = on ]; }
bullmq_dir=$bench_dir/peer/bullmq
bullmq_concurrency=16 # per worker process, two processes: the setup of the hand measurement in issue 17

# bullmq_install: the peer's node_modules from its lock file, before the stack starts so that a failure costs
# nothing. npm rewrites node_modules/.package-lock.json on every install: older than the lock file (or missing)
# means the lock file changed since, or nothing was installed.
bullmq_install() {
  [ "$bullmq_dir/package-lock.json" -nt "$bullmq_dir/node_modules/.package-lock.json" ] || return 0
  bench_say "installing the BullMQ peer's dependencies (npm ci in $bullmq_dir)"
  (cd "$bullmq_dir" && npm ci --no-audit --no-fund --fetch-retries=1 --fetch-timeout=30000) >&2 ||
    bench_die "npm ci failed in $bullmq_dir: npm must reach its registry ($(npm config get registry)) once;" \
      "or run with BENCH_BULLMQ=off"
}
if bullmq_on; then
  bench_need node:nodejs npm:npm
  bullmq_install
fi

worker_pids=() bullmq_pids=()
stop_all() {
  local pid
  for pid in "${worker_pids[@]}" "${bullmq_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${worker_pids[@]}" "${bullmq_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bench_stack_stop
}
trap stop_all EXIT
trap 'exit 130' INT TERM

load_before=$(uptime)
export TALLY_ROLE=api # replica 1 of the launcher: accepts jobs, runs none
bench_stack_start
unset TALLY_ROLE
raw=$bench_run_dir/bench-raw.log
redis() { redis-cli -p "$BENCH_REDIS_PORT" "$@"; }
stream='tally:{jobs}:stream'

for n in 1 2; do
  TALLY_ROLE=worker TALLY_INSTANCE_ID=bench-worker-$n QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
  QUARKUS_HTTP_PORT=$((BENCH_WORKER_PORT + n)) QUARKUS_MANAGEMENT_PORT=$((BENCH_WORKER_MANAGEMENT_PORT + n)) \
  QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$BENCH_REDIS_PORT TALLY_OPS_TOKEN="$(cat "$bench_run_dir/ops-token")" \
    "$(dirname "$(readlink -e "/proc/$bench_replica_pid/exe")")/java" -jar "$bench_root/target/quarkus-app/quarkus-run.jar" \
    >"$bench_run_dir/worker-$n.log" 2>&1 &
  worker_pids+=($!)
  bench_replica_pids+=" $!"
done
for n in 1 2; do
  deadline=$((SECONDS + BENCH_START_TIMEOUT))
  until curl -sf "http://127.0.0.1:$((BENCH_WORKER_MANAGEMENT_PORT + n))/q/health/ready" >/dev/null; do
    [ $SECONDS -lt $deadline ] || bench_die "worker $n not ready; see $bench_run_dir/worker-$n.log"
    sleep 0.3
  done
done
bench_say "2 workers ready (pids ${worker_pids[*]})"

# bullmq_start: the two BullMQ worker processes on the stack's redis-server, stopped by stop_all. Their CPU is the
# benchmark's own (bench_cpu_mark counts bench_replica_pids).
bullmq_start() {
  local n deadline log
  for n in 1 2; do
    BULLMQ_PEER_REDIS_PORT=$BENCH_REDIS_PORT node "$bullmq_dir/bullmq-peer.mjs" worker "$bullmq_concurrency" \
      >"$bench_run_dir/bullmq-worker-$n.log" 2>&1 &
    bullmq_pids+=($!)
    bench_replica_pids+=" $!"
  done
  for n in 1 2; do
    deadline=$((SECONDS + BENCH_START_TIMEOUT)) log=$bench_run_dir/bullmq-worker-$n.log
    until grep -q ': ready' "$log"; do
      if ! kill -0 "${bullmq_pids[n - 1]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        bench_die "BullMQ worker $n not ready: $(tail -3 "$log")"
      fi
      sleep 0.2
    done
  done
  bench_say "2 BullMQ workers ready (pids ${bullmq_pids[*]}, concurrency $bullmq_concurrency each)"
}
bullmq_on && bullmq_start
# hey sends -n rounded down to a multiple of -c: submit exactly that many.
BENCH_JOBS=$((BENCH_JOBS / BENCH_SUBMITTERS * BENCH_SUBMITTERS))
submit_url=http://127.0.0.1:$BENCH_PORT/api/v1/jobs

# succeeded: noop successes recorded by both workers (Prometheus counters).
succeeded() {
  local n total=0 v
  for n in 1 2; do
    v=$(bench_ops_curl "http://127.0.0.1:$((BENCH_WORKER_MANAGEMENT_PORT + n))/q/metrics" |
      awk '/^tally_jobs_outcomes_total\{.*outcome="succeeded".*type="noop"/ { s += $2 } END { printf "%d", s }')
    total=$((total + v))
  done
  echo "$total"
}

# drained: the stream holds only outstanding jobs (each success deletes its entry), so empty = all done.
await_drained() {
  until [ "$(redis XLEN "$stream")" = 0 ]; do sleep 0.02; done
}

# burst JOBS: submits JOBS no-op jobs as fast as hey can, waits until all have succeeded; prints
# "jobs_per_s=.. submit_per_s=.. non202=.. missing=.."
burst() {
  local before start out end accepted submit_s
  before=$(succeeded)
  start=$(date +%s.%N)
  out=$(hey -n "$1" -c "$BENCH_SUBMITTERS" -m POST -T application/json -d '{"type":"noop"}' "$submit_url")
  printf '%s\n' "$out" >>"$raw"
  submit_s=$(printf '%s\n' "$out" | awk '/Total:/ { print $2 }')
  await_drained
  end=$(date +%s.%N)
  sleep 0.5
  accepted=$(printf '%s\n' "$out" | awk '/\[202\]/ { print $2 }')
  awk -v n="$1" -v s="$start" -v e="$end" -v t="$submit_s" -v ok="${accepted:-0}" -v d="$(($(succeeded) - before))" \
    'BEGIN { printf "jobs_per_s=%.0f submit_per_s=%.0f non202=%d missing=%d\n", n / (e - s), n / t, n - ok, ok - d }'
}

# The workers alone: JOBS no-op jobs queued in one Redis script (Redis runs it atomically, so the workers see all
# of them at once when it returns), timed from its return until the stream is empty. The script is
# src/main/resources/lua/job_submit.lua itself, wrapped in a loop: each job gets the record and the stream entry an
# HTTP submit gives it (payload {}, the api replica's anonymous owner, the replica's attempt limit, retention and
# bound). Ids are 22 characters of the job id alphabet, distinct per round.
prefill_script=$bench_run_dir/jobs-prefill.lua
{
  echo 'local function submit(KEYS, ARGV)'
  cat "$bench_root/src/main/resources/lua/job_submit.lua"
  echo 'end'
  echo 'local id_digits = 22 - #ARGV[2]'
  echo 'for i = 1, tonumber(ARGV[1]) do'
  echo '  local id = string.format("%s%0" .. id_digits .. "d", ARGV[2], i)'
  echo '  local entry = submit({KEYS[1], KEYS[2] .. id}, {id, "noop", "{}", ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]})'
  echo '  if type(entry) == "table" and entry.err then return entry end'
  echo 'end'
  echo 'return tonumber(ARGV[1])'
} >"$prefill_script"
prefill_sha=$(redis SCRIPT LOAD "$(cat "$prefill_script")")
# What a submit passes: tally.job.retention (a duration: 500ms, 90s, 30m, 24h, 7d), max-attempts and
# max-outstanding as application.properties sets them (the bench stack keeps them), and the identity an anonymous
# caller's jobs record as their owner.
app_setting() { sed -n "s/^$1=//p" "$bench_root/src/main/resources/application.properties"; }
job_retention_ms=$(app_setting tally.job.retention | awk 'match($0, /^[0-9]+/) { n = substr($0, 1, RLENGTH)
  u = substr($0, RLENGTH + 1); f["ms"] = 1; f["s"] = 1000; f["m"] = 60000; f["h"] = 3600000; f["d"] = 86400000
  if (u in f) print n * f[u] }')
job_attempt_limit=$(app_setting tally.job.max-attempts) job_outstanding=$(app_setting tally.job.max-outstanding)
job_owner=anonymous
[[ "$job_retention_ms $job_attempt_limit $job_outstanding" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] ||
  bench_die "could not read tally.job.retention, max-attempts, max-outstanding from application.properties"

# drain JOBS ROUND: prints "jobs_per_s=.. fill_ms=.. missing=.."
drain() {
  local before start filled end done_count
  before=$(succeeded)
  start=$(date +%s.%N)
  filled=$(redis EVALSHA "$prefill_sha" 2 "$stream" 'tally:{jobs}:job:' "$1" "drain$2x" "$(date +%s%3N)" \
    "$job_retention_ms" "$job_attempt_limit" "$job_outstanding" "$job_owner")
  [ "$filled" = "$1" ] || bench_die "queueing $1 jobs in one script failed: $filled"
  filled=$(date +%s.%N)
  await_drained
  end=$(date +%s.%N)
  sleep 0.5
  done_count=$(($(succeeded) - before))
  awk -v n="$1" -v s="$start" -v f="$filled" -v e="$end" -v d="$done_count" \
    'BEGIN { printf "jobs_per_s=%.0f fill_ms=%.0f missing=%d\n", n / (e - f), (f - s) * 1000, n - d }'
}

# bullmq_burst JOBS: the same burst through BullMQ, JOBS adds by BENCH_SUBMITTERS concurrent loops, timed by the
# peer from the first add to the last completion; prints the peer's line plus exit=CODE (a crash leaves exit= only).
bullmq_burst() { bullmq_peer produce "$1" "$BENCH_SUBMITTERS"; }
# bullmq_drain JOBS: BullMQ's workers alone: JOBS jobs added to the paused queue, timed from its resume.
bullmq_drain() { bullmq_peer drain "$1"; }
bullmq_peer() {
  local out rc=0
  out=$(BULLMQ_PEER_REDIS_PORT=$BENCH_REDIS_PORT node "$bullmq_dir/bullmq-peer.mjs" "$@" 2>>"$raw") || rc=$?
  printf '%s\n' "$out" >>"$raw"
  echo "$out exit=$rc"
}

# bullmq_check WHAT LINE: a failed add, a job not completed exactly once or a failed job is a BullMQ defect.
declare -A bullmq_defect=([add_failed]="queue.add calls failed" [missing]="added jobs not completed"
  [duplicated]="completions more than jobs added" [failed]="jobs failed")
bullmq_check() {
  local field value
  [ -n "$(bench_field "$2" jobs_per_s)" ] ||
    { bench_defects+=("$1: the BullMQ producer failed (exit $(bench_field "$2" exit)), no result"); return 0; }
  for field in add_failed missing duplicated failed; do # a drain adds in bulk: no add_failed
    value=$(bench_field "$2" "$field")
    [ -z "$value" ] || [ "$value" -eq 0 ] || bench_defects+=("$1: BullMQ: $value ${bullmq_defect[$field]}")
  done
}

# check WHAT LINE: a submit that was not answered 202, or an accepted job without exactly one success, is a defect.
# (A 503 after tally.redis.command-timeout may still have queued the job: then missing is negative.)
check() {
  [ "$(bench_field "$2" non202)" -eq 0 ] || bench_defects+=("$1: $(bench_field "$2" non202) submits not answered 202")
  [ "$(bench_field "$2" missing)" -eq 0 ] ||
    bench_defects+=("$1: $(bench_field "$2" missing) accepted jobs without exactly one recorded success")
}

# bullmq_note LINE: ", BullMQ N jobs/s" (and its defects), for the progress and warm-up lines; nothing when off.
bullmq_note() {
  bullmq_on || return 0
  printf ', BullMQ %s jobs/s' "$(bench_field "$1" jobs_per_s)"
  [ "$(bench_field "$1" exit)" = 0 ] || printf ' (exit %s: %s)' "$(bench_field "$1" exit)" "${1% exit=*}"
}

# costed STEP JOBS...: runs a burst or a drain of JOBS jobs and appends what it cost Redis per job: the CPU time of
# redis-server (used_cpu_user + used_cpu_sys) and the commands it processed (total_commands_processed: each
# script call and each command a script runs), both from INFO. The replicas' background reads (queue sampler, claim
# keeper) and BullMQ's idle workers count too: a few commands a second against thousands. It also appends the CPU
# µs per job of the workers (Tally's two worker replicas, or BullMQ's two worker processes for a BullMQ step) and
# for Tally's steps of the api replica, with the workers' busiest thread groups (bench/thread_cpu.py).
redis_mark() {
  redis INFO | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { c += $2 } /^total_commands_processed:/ { n = $2 }
    END { printf "%.0f %d\n", c * 1e6, n }'
}
threads() { python3 "$bench_dir/thread_cpu.py" "$@"; }
costed() {
  local before line workers api=() snap=$bench_run_dir/threads
  case $1 in
    bullmq_*) workers=("${bullmq_pids[@]}") ;;
    *) workers=("${worker_pids[@]}") api=("$bench_replica_pid") ;;
  esac
  before=$(redis_mark)
  threads snapshot "${workers[@]}" >"$snap-workers-before"
  [ ${#api[@]} -eq 0 ] || threads snapshot "${api[@]}" >"$snap-api-before"
  line=$("$@")
  threads snapshot "${workers[@]}" >"$snap-workers-after"
  [ ${#api[@]} -eq 0 ] || threads snapshot "${api[@]}" >"$snap-api-after"
  awk -v line="$line" -v n="$2" -v a="$before" -v b="$(redis_mark)" 'BEGIN { split(a, x, " "); split(b, y, " ")
    printf "%s redis_us=%.1f redis_cmds=%.1f", line, (y[1] - x[1]) / n, (y[2] - x[2]) / n }'
  printf ' %s' "$(threads report "$snap-workers-before" "$snap-workers-after" "$2" workers_)"
  [ ${#api[@]} -eq 0 ] || printf ' %s' "$(threads report "$snap-api-before" "$snap-api-after" "$2" api_)"
  echo
}

warmup_notes=() bline=""
for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do
  line=$(burst "$BENCH_JOBS")
  ! bullmq_on || bline=$(bullmq_burst "$BENCH_JOBS")
  bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS (not counted): $(bench_field "$line" jobs_per_s) jobs/s$(bullmq_note "$bline")"
  warmup_notes+=("warm-up $r: $(bench_field "$line" jobs_per_s) jobs/s, $(bench_field "$line" non202) submits not 202, accepted minus recorded successes $(bench_field "$line" missing)$(bullmq_note "$bline")")
done

jobs=() bullmq=() drains=() bullmq_drains=() xadd=()
cpu_mark=$(bench_cpu_mark)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  jobs[r]=$(costed burst "$BENCH_JOBS"); check "round $r" "${jobs[r]}"
  if bullmq_on; then # right after Tally's burst: both see the same machine
    bullmq[r]=$(costed bullmq_burst "$BENCH_JOBS"); bullmq_check "round $r" "${bullmq[r]}"
  fi
  drains[r]=$(costed drain "$BENCH_JOBS" "$r")
  [ "$(bench_field "${drains[r]}" missing)" -eq 0 ] ||
    bench_defects+=("round $r, workers alone: $(bench_field "${drains[r]}" missing) queued jobs without exactly one recorded success")
  if bullmq_on; then
    bullmq_drains[r]=$(costed bullmq_drain "$BENCH_JOBS"); bullmq_check "round $r, workers alone" "${bullmq_drains[r]}"
  fi
  out=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$BENCH_REDIS_PORT" -c "$BENCH_REDIS_CLIENTS" \
    -n "$BENCH_REDIS_REQUESTS" --csv XADD bench:xadd MAXLEN '~' 100000 '*' f v 2>&1)
  printf '%s\n' "$out" >>"$raw"
  redis DEL bench:xadd >/dev/null
  xadd[r]=$(printf '%s\n' "$out" | awk -F'"' '$2 ~ /^XADD/ { printf "rps=%s p50_ms=%s p99_ms=%s\n", $4, $10, $14 }')
  bench_say "round $r/$BENCH_ROUNDS: $(bench_field "${jobs[r]}" jobs_per_s) jobs/s end to end$(bullmq_note "${bullmq[r]:-}"); workers alone $(bench_field "${drains[r]}" jobs_per_s) jobs/s$(bullmq_note "${bullmq_drains[r]:-}"); redis-benchmark XADD $(bench_field "${xadd[r]}" rps)/s"
done
# median_of ARRAY KEY: the median over the rounds of one field of an array of lines.
median_of() {
  local -n lines=$1
  local r
  # shellcheck disable=SC2046 # one number per round, split into bench_median's arguments on purpose
  bench_median $(for ((r = 1; r <= BENCH_ROUNDS; r++)); do bench_field "${lines[r]}" "$2"; done)
}
jobs_median=$(median_of jobs jobs_per_s)
xadd_median=$(median_of xadd rps)

# Queue lag at half the measured rate: hey paces each of its 10 clients (-q is per client). The lag of each job is
# startedAt - createdAt from its record (first start), over the jobs created in this phase only.
half=$(awk -v m="$jobs_median" 'BEGIN { printf "%d", m / 2 }')
per_client=$(awk -v h="$half" 'BEGIN { q = h / 10; printf "%d", (q < 1) ? 1 : q }')
lag_from=$(($(date +%s%3N)))
bench_say "lag phase: ${BENCH_LAG_SECONDS}s at ~$half jobs/s"
out=$(hey -z "${BENCH_LAG_SECONDS}s" -c 10 -q "$per_client" -m POST -T application/json -d '{"type":"noop"}' "$submit_url")
printf '%s\n' "$out" >>"$raw"
await_drained
lag_non202=$(printf '%s\n' "$out" | awk '/responses/ && !/\[202\]/ { s += $2 } END { printf "%d", s }')
[ "$lag_non202" -eq 0 ] || bench_defects+=("lag phase: $lag_non202 submits not answered 202")
lag_rate=$(printf '%s\n' "$out" | awk '/Requests\/sec:/ { printf "%.0f", $2 }')
lags=$(redis --scan --pattern 'tally:{jobs}:job:*' | sed 's/^/HMGET /; s/$/ createdAt startedAt finishedAt/' |
  redis | paste - - - | awk -v from="$lag_from" '$1 >= from { print $2 - $1, $3 - $1 }')
lag=$(printf '%s\n' "$lags" | awk '{ print $1 }' | sort -n | awk '{ v[NR] = $1 } END {
  printf "jobs=%d p50_ms=%d p99_ms=%d max_ms=%d\n", NR, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], v[NR] }')
e2e=$(printf '%s\n' "$lags" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END {
  printf "p50_ms=%d p99_ms=%d\n", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }')
load_after=$(uptime)
cpu=$(bench_cpu_others "$cpu_mark")
# What the run left in Redis: BullMQ keeps no completed job (removeOnComplete) and caps its events stream, Tally
# keeps each job's record for tally.job.retention; both must stay bounded.
redis_memory=$(redis INFO memory | tr -d '\r' | sed -n 's/^used_memory_human://p')
tally_records=$(redis --scan --pattern 'tally:{jobs}:job:*' | wc -l)
if bullmq_on; then
  bullmq_keys=$(redis --scan --pattern 'bullmq-peer:*' | wc -l)
  bullmq_events=$(redis XLEN bullmq-peer:noop:events)
  bullmq_version=$(node -p "require('$bullmq_dir/node_modules/bullmq/package.json').version")
fi

echo "## Jobs end to end (no-op handler, 1 api + 2 worker replicas) vs$(bullmq_on && echo ' BullMQ and') redis-benchmark XADD"
echo
bench_machine
bench_conditions "$load_before" "$load_after" "$cpu" \
  "replicas, Redis, hey, redis-benchmark$(bullmq_on && echo ', BullMQ workers and producer')"
echo "- warm-up (not counted, cold JIT): $( (IFS=';'; echo "${warmup_notes[*]:-none}") | sed 's/;/; /g')"
echo "- measured: $BENCH_ROUNDS rounds of $BENCH_JOBS jobs" \
  "submitted by hey -c $BENCH_SUBMITTERS to the api replica, timed until the stream is empty (every job succeeded)," \
  "then redis-benchmark -c $BENCH_REDIS_CLIENTS -n $BENCH_REDIS_REQUESTS XADD (MAXLEN ~ 100000) on the same Redis"
bullmq_on && echo "- BullMQ (bench/peer/bullmq: bullmq $bullmq_version, Node $(node --version)): in each round, warm-ups" \
  "too, right after Tally's burst, the same $BENCH_JOBS no-op jobs added by $BENCH_SUBMITTERS concurrent queue.add" \
  "loops on one connection, run by 2 worker processes of concurrency $bullmq_concurrency (removeOnComplete), timed" \
  "from the first add to the last completion"
echo "- workers alone, in each measured round after the bursts: $BENCH_JOBS jobs queued in one Redis script" \
  "(job_submit.lua in a loop, $(median_of drains fill_ms) ms median), timed from its return until the stream is empty$(
  bullmq_on && echo "; BullMQ: $BENCH_JOBS jobs added in bulk to its paused queue ($(median_of bullmq_drains fill_ms)" \
    "ms median), timed from the resume to the last completion")"
echo "- Redis after the run: used_memory $redis_memory, $tally_records Tally job records$(bullmq_on &&
  echo ", $bullmq_keys BullMQ keys (bullmq-peer:*) with $bullmq_events entries in its events stream")"
echo
printf '| |'; for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf ' round %d |' "$r"; done; echo ' median |'
printf '|---|'; for ((r = 0; r <= BENCH_ROUNDS; r++)); do printf -- '---:|'; done; echo
row() {
  local -n lines=$2
  local values=() r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${lines[r]}" "$3")"); done
  printf '| %s |' "$1"; printf ' %s |' "${values[@]}"; printf ' **%s** |\n' "$(bench_median "${values[@]}")"
}
row "jobs/s, submit to succeeded" jobs jobs_per_s
row "submits/s (hey, 202s)" jobs submit_per_s
if bullmq_on; then
  row "BullMQ jobs/s, add to completed" bullmq jobs_per_s
  row "BullMQ adds/s (queue.add)" bullmq add_per_s
fi
row "jobs/s, workers alone (queued beforehand)" drains jobs_per_s
bullmq_on && row "BullMQ jobs/s, workers alone (paused queue filled, then resumed)" bullmq_drains jobs_per_s
row "Redis CPU µs per job, submit to succeeded" jobs redis_us
row "Redis commands per job, submit to succeeded" jobs redis_cmds
if bullmq_on; then
  row "BullMQ: Redis CPU µs per job, add to completed" bullmq redis_us
  row "BullMQ: Redis commands per job, add to completed" bullmq redis_cmds
fi
row "Redis CPU µs per job, workers alone (the bulk fill included)" drains redis_us
row "Redis commands per job, workers alone (the bulk fill included)" drains redis_cmds
if bullmq_on; then
  row "BullMQ: Redis CPU µs per job, workers alone (the bulk fill included)" bullmq_drains redis_us
  row "BullMQ: Redis commands per job, workers alone (the bulk fill included)" bullmq_drains redis_cmds
fi
row "api replica CPU µs per job, submit to succeeded" jobs api_cpu_us
row "worker replicas' CPU µs per job, submit to succeeded" jobs workers_cpu_us
bullmq_on && row "BullMQ: worker processes' CPU µs per job, add to completed" bullmq workers_cpu_us
row "worker replicas' CPU µs per job, workers alone" drains workers_cpu_us
bullmq_on && row "BullMQ: worker processes' CPU µs per job, workers alone" bullmq_drains workers_cpu_us
row "redis-benchmark XADD/s" xadd rps
row "XADD p99 ms" xadd p99_ms
echo
echo "- jobs / redis-benchmark XADD = **$(bench_ratio "$jobs_median" "$xadd_median")**"
bullmq_on && echo "- Tally ÷ BullMQ = **$(bench_ratio "$jobs_median" "$(median_of bullmq jobs_per_s)")** (jobs/s, medians);" \
  "workers alone: **$(bench_ratio "$(median_of drains jobs_per_s)" "$(median_of bullmq_drains jobs_per_s)")**"
echo "- queue lag at ~50% of that rate (${BENCH_LAG_SECONDS}s, offered $half/s, achieved $lag_rate/s," \
  "$(bench_field "$lag" jobs) jobs): submit to start p50 $(bench_field "$lag" p50_ms) ms," \
  "**p99 $(bench_field "$lag" p99_ms) ms**, max $(bench_field "$lag" max_ms) ms; submit to succeeded p50" \
  "$(bench_field "$e2e" p50_ms) ms, p99 $(bench_field "$e2e" p99_ms) ms"
# thread groups: "name:µs,name:µs" -> "name µs, name µs" (the five busiest)
thread_groups() { printf '%s\n' "$1" | tr ',' '\n' | head -5 | sed 's/_/ /g; s/:\([0-9]*\)$/ \1 µs/' | paste -sd ';' |
  sed 's/;/, /g'; }
echo "- CPU µs per job by thread group, round $BENCH_ROUNDS, workers alone: Tally's worker replicas" \
  "$(thread_groups "$(bench_field "${drains[BENCH_ROUNDS]}" workers_top)")$(bullmq_on && echo "; BullMQ's worker" \
  "processes $(thread_groups "$(bench_field "${bullmq_drains[BENCH_ROUNDS]}" workers_top)")")"
echo "- the same, submit to succeeded: the api replica $(thread_groups "$(bench_field "${jobs[BENCH_ROUNDS]}" api_top)");" \
  "the worker replicas $(thread_groups "$(bench_field "${jobs[BENCH_ROUNDS]}" workers_top)")"
if [ ${#bench_defects[@]} -eq 0 ]; then
  echo "- errors: none (every submit 202, exactly one recorded success per job$(bullmq_on &&
    echo '; every BullMQ add succeeded, exactly one completion per job'))"
else
  echo "- **DEFECTS**:"; printf '  - %s\n' "${bench_defects[@]}"
fi
bench_say "done in ${SECONDS}s"
[ ${#bench_defects[@]} -eq 0 ]
