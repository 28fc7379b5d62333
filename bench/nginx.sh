#!/usr/bin/env bash
# What Nginx in front costs: Tally's POST increment and GET / through Nginx (HTTPS, keepalive) and direct to the
# same replica (plain HTTP), side by side with Nginx's own static GET /nginx-health on the same TLS listener (the
# ceiling of Nginx + TLS on this machine), all in one run on one stack. See bench/README.md.
#
#   bench/nginx.sh                          # ~4 minutes with the defaults; progress on stderr, table on stdout
#   BENCH_QUIET_WAIT=1200 bench/nginx.sh    # first wait up to 20 min for no Maven build and a low load
#   BENCH_SCALE_REPLICAS=3 bench/nginx.sh   # plus a second stack: 3 replicas behind Nginx (~3 more minutes)
#
# Settings (environment), with defaults: BENCH_WARMUP_ROUNDS (3), BENCH_WARMUP_SECONDS (10), BENCH_ROUNDS (3),
# BENCH_SECONDS (10), BENCH_SCALE_REPLICAS (0: no second stack), BENCH_QUIET_WAIT (0 s), BENCH_QUIET_LOAD (1.5),
# and the ports and others listed in bench/lib.sh (BENCH_NGINX is always on here; the primary stack always has
# 1 replica). Exits 1 if any response was not 2xx, any socket error occurred, or a counter disagrees with the
# responses; the 60% aim is reported, not enforced.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}"
: "${BENCH_SCALE_REPLICAS:=0}" "${BENCH_QUIET_WAIT:=0}" "${BENCH_QUIET_LOAD:=1.5}"
aim=0.60

bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_WARMUP_SECONDS:1 BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_SCALE_REPLICAS:0 \
  BENCH_QUIET_WAIT:0 BENCH_CONNECTIONS:1 BENCH_WRK_THREADS:1
[ "$BENCH_CONNECTIONS" -ge "$BENCH_WRK_THREADS" ] || bench_die "BENCH_CONNECTIONS must be >= BENCH_WRK_THREADS"
[[ "$BENCH_QUIET_LOAD" =~ ^[0-9]+(\.[0-9]+)?$ ]] || bench_die "BENCH_QUIET_LOAD must be a number, got '$BENCH_QUIET_LOAD'"
[ "$BENCH_SCALE_REPLICAS" -le 99 ] || bench_die "BENCH_SCALE_REPLICAS must be 0..99, got '$BENCH_SCALE_REPLICAS'"
[ "$BENCH_REPLICAS" = 1 ] ||
  bench_die "the primary stack has exactly 1 replica (through Nginx vs direct to that same replica); for more" \
    "replicas behind Nginx set BENCH_SCALE_REPLICAS=$BENCH_REPLICAS (a second stack), not BENCH_REPLICAS"
bench_need wrk:wrk curl:curl nginx:nginx openssl:openssl envsubst:gettext-base timeout:coreutils
BENCH_NGINX=on

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

# --- helpers over the per-round arrays of wrk summary lines (index = round) ---

# values ARRAY KEY: the KEY field of every round, one a line.
values() {
  local -n values_lines=$1
  local i
  for i in "${!values_lines[@]}"; do bench_field "${values_lines[i]}" "$2"; done
}
median_of() { bench_median $(values "$1" "$2"); }
sum_of() { values "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }
# round_ratios A B: A's rps / B's rps round by round ("0.55, 0.58, 0.61").
round_ratios() {
  paste -d' ' <(values "$1" rps) <(values "$2" rps) |
    awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), ($2 > 0 ? $1 / $2 : 0) }'
}
# rates ARRAY: rps of every round ("9100, 9800"), for the warm-up lines.
rates() { values "$1" rps | awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 } END { if (NR == 0) printf "-" }'; }

# summary_row WHAT PATH ARRAY: one row of the result table.
summary_row() {
  local rounds inflight="-"
  rounds=$(values "$3" rps | awk '{ printf "%s%.0f", (NR > 1 ? " | " : ""), $1 }')
  if [ -n "$(values "$3" unaccounted)" ]; then
    inflight=$(values "$3" unaccounted | sort -n | sed -n '1p;$p' | paste -sd- | sed 's/^\([-0-9]*\)-\1$/\1/')
  fi
  printf '| %s | %s | %s | **%.0f** | %.2f | %.2f | %d | %d | %s |\n' "$1" "$2" "$rounds" \
    "$(median_of "$3" rps)" "$(median_of "$3" p50_ms)" "$(median_of "$3" p99_ms)" \
    "$(sum_of "$3" non2xx)" "$(sum_of "$3" socket_errors)" "$inflight"
}

# The header of a summary_row table: one column per round.
summary_header() {
  printf '| request | path |'
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf ' round %d req/s |' "$r"; done
  echo ' median req/s | p50 ms | p99 ms | non-2xx | socket errors | counter - 2xx |'
  printf '|---|---|'
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do printf -- '---:|'; done
  printf '%s\n' '---:|---:|---:|---:|---:|---:|'
}

# --- the stack ---

# preflight: the three URLs answer as expected, TLS verified against the run's dev certificate.
preflight() {
  local cacert=$bench_run_dir/tls/cert.pem health via direct_body
  health=$(curl -sS --max-time 5 --cacert "$cacert" "$proxy/nginx-health") ||
    bench_die "GET $proxy/nginx-health failed (with the run's certificate $cacert)"
  [ "$health" = ok ] || bench_die "GET $proxy/nginx-health answered '$health', expected 'ok'"
  via=$(curl -sS --max-time 5 --cacert "$cacert" "$proxy/") || bench_die "GET $proxy/ through Nginx failed"
  direct_body=$(curl -sS --max-time 5 "$direct/") || bench_die "GET $direct/ failed"
  [ "$via" = "$direct_body" ] || bench_die "GET / through Nginx and direct differ: '$via' vs '$direct_body'"
}

# tls_info: what an OpenSSL 3 client (wrk links the system libssl) negotiates with the listener.
tls_info() {
  timeout 5 openssl s_client -connect "127.0.0.1:$BENCH_HTTPS_PORT" -servername localhost </dev/null 2>/dev/null |
    sed -n 's/^New, \(.*\), Cipher is \(.*\)/\1, \2/p' | head -1
}

quiet=$(bench_wait_quiet "$BENCH_QUIET_WAIT" "$BENCH_QUIET_LOAD")
bench_say "$quiet"
load_start=$(uptime)
estimate=$((15 + BENCH_WARMUP_ROUNDS * 2 * BENCH_WARMUP_SECONDS + BENCH_ROUNDS * (5 * BENCH_SECONDS + 3)))
[ "$BENCH_SCALE_REPLICAS" -eq 0 ] ||
  estimate=$((estimate + 25 + BENCH_WARMUP_ROUNDS * 2 * BENCH_WARMUP_SECONDS + BENCH_ROUNDS * (3 * BENCH_SECONDS + 2)))
bench_say "estimated time: ~${estimate}s"

bench_stack_start
direct=http://127.0.0.1:$BENCH_PORT
proxy=https://127.0.0.1:$BENCH_HTTPS_PORT
raw=$bench_run_dir/bench-raw.log
preflight
tls=$(tls_info)
nginx_workers=$(pgrep -P "$bench_nginx_pid" | wc -l)
counter() { echo "/api/v1/counters/bench-$$-$1"; }

# Warm-up: every path the measured rounds take through the replica (direct and proxied requests differ in
# headers, X-Forwarded-* included), alternating which request goes which way.
warm_ni=() warm_dg=() warm_di=() warm_ng=()
for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do
  if ((r % 2)); then
    warm_ni[r]=$(bench_increment "$proxy$(counter "w$r")" "$direct$(counter "w$r")" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "warm-up $r increment via Nginx" "${warm_ni[r]}"
    warm_dg[r]=$(bench_wrk get.lua "$direct/" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "warm-up $r GET / direct" "${warm_dg[r]}"
    bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS (not counted): increment via Nginx $(bench_field "${warm_ni[r]}" rps) req/s, GET / direct $(bench_field "${warm_dg[r]}" rps) req/s"
  else
    warm_di[r]=$(bench_increment "$direct$(counter "w$r")" "$direct$(counter "w$r")" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "warm-up $r increment direct" "${warm_di[r]}"
    warm_ng[r]=$(bench_wrk get.lua "$proxy/" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "warm-up $r GET / via Nginx" "${warm_ng[r]}"
    bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS (not counted): increment direct $(bench_field "${warm_di[r]}" rps) req/s, GET / via Nginx $(bench_field "${warm_ng[r]}" rps) req/s"
  fi
done

# Measured rounds, interleaved; within a pair the order alternates from round to round, so a JVM still warming
# up (or a neighbour starting a build) does not always favour the same side.
ni=() di=() ng=() dg=() st=()
cpu_mark=$(bench_cpu_mark)
via_inc() { ni[r]=$(bench_increment "$proxy$(counter "n$r")" "$direct$(counter "n$r")" "$BENCH_SECONDS" "$raw"); }
dir_inc() { di[r]=$(bench_increment "$direct$(counter "d$r")" "$direct$(counter "d$r")" "$BENCH_SECONDS" "$raw"); }
via_get() { ng[r]=$(bench_wrk get.lua "$proxy/" "$BENCH_SECONDS" "$raw"); }
dir_get() { dg[r]=$(bench_wrk get.lua "$direct/" "$BENCH_SECONDS" "$raw"); }
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  if ((r % 2)); then via_inc; dir_inc; via_get; dir_get; else dir_inc; via_inc; dir_get; via_get; fi
  st[r]=$(bench_wrk get.lua "$proxy/nginx-health" "$BENCH_SECONDS" "$raw")
  bench_check "round $r increment via Nginx" "${ni[r]}"
  bench_check "round $r increment direct" "${di[r]}"
  bench_check "round $r GET / via Nginx" "${ng[r]}"
  bench_check "round $r GET / direct" "${dg[r]}"
  bench_check "round $r Nginx static" "${st[r]}"
  bench_say "round $r/$BENCH_ROUNDS: increment via Nginx $(bench_field "${ni[r]}" rps) / direct $(bench_field "${di[r]}" rps);" \
    "GET / via Nginx $(bench_field "${ng[r]}" rps) / direct $(bench_field "${dg[r]}" rps); Nginx static $(bench_field "${st[r]}" rps) req/s"
done
cpu=$(bench_cpu_others "$cpu_mark")
load_after=$(uptime)
machine=$(bench_machine)
log_size=$(du -sh "$bench_run_dir/nginx/access.log" 2>/dev/null | cut -f1 || echo "?")

# Optional second stack: BENCH_SCALE_REPLICAS replicas behind Nginx, measured through Nginx only, with its own
# Nginx static reference; minutes after the first, so comparisons across the two stacks are looser.
if [ "$BENCH_SCALE_REPLICAS" -gt 0 ]; then
  bench_stack_stop
  BENCH_REPLICAS=$BENCH_SCALE_REPLICAS
  load_scale_before=$(uptime)
  bench_stack_start
  raw=$bench_run_dir/bench-raw.log
  preflight
  s_warm_ni=() s_warm_ng=()
  for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do
    s_warm_ni[r]=$(bench_increment "$proxy$(counter "sw$r")" "$direct$(counter "sw$r")" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "$BENCH_REPLICAS replicas: warm-up $r increment via Nginx" "${s_warm_ni[r]}"
    s_warm_ng[r]=$(bench_wrk get.lua "$proxy/" "$BENCH_WARMUP_SECONDS" "$raw")
    bench_check "$BENCH_REPLICAS replicas: warm-up $r GET / via Nginx" "${s_warm_ng[r]}"
    bench_say "$BENCH_REPLICAS replicas: warm-up $r/$BENCH_WARMUP_ROUNDS (not counted): increment via Nginx" \
      "$(bench_field "${s_warm_ni[r]}" rps) req/s, GET / via Nginx $(bench_field "${s_warm_ng[r]}" rps) req/s"
  done
  s_ni=() s_ng=() s_st=()
  s_cpu_mark=$(bench_cpu_mark)
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do
    s_ni[r]=$(bench_increment "$proxy$(counter "s$r")" "$direct$(counter "s$r")" "$BENCH_SECONDS" "$raw")
    s_ng[r]=$(bench_wrk get.lua "$proxy/" "$BENCH_SECONDS" "$raw")
    s_st[r]=$(bench_wrk get.lua "$proxy/nginx-health" "$BENCH_SECONDS" "$raw")
    bench_check "$BENCH_REPLICAS replicas: round $r increment via Nginx" "${s_ni[r]}"
    bench_check "$BENCH_REPLICAS replicas: round $r GET / via Nginx" "${s_ng[r]}"
    bench_check "$BENCH_REPLICAS replicas: round $r Nginx static" "${s_st[r]}"
    bench_say "$BENCH_REPLICAS replicas, round $r/$BENCH_ROUNDS: increment via Nginx $(bench_field "${s_ni[r]}" rps)," \
      "GET / via Nginx $(bench_field "${s_ng[r]}" rps), Nginx static $(bench_field "${s_st[r]}" rps) req/s"
  done
  s_cpu=$(bench_cpu_others "$s_cpu_mark")
  load_scale_after=$(uptime)
fi

# --- the report ---

m_ni=$(median_of ni rps) m_di=$(median_of di rps) m_ng=$(median_of ng rps) m_dg=$(median_of dg rps)
m_st=$(median_of st rps)
verdict() { awk -v r="$1" -v aim=$aim 'BEGIN { print (r >= aim) ? "met" : "NOT met" }'; }
inc_ratio=$(bench_ratio "$m_ni" "$m_di")
get_ratio=$(bench_ratio "$m_ng" "$m_dg")

echo "## Tally through Nginx (HTTPS) vs direct to the same replica, and Nginx's static ceiling"
echo
echo "$machine"
echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), $nginx_workers worker processes (worker_processes auto)," \
  "config nginx/tally.conf.template as deploy/local/up renders it, rate limit lifted; JSON access log on for" \
  "proxied requests ($log_size written by the first stack), off for /nginx-health"
echo "- client side: wrk speaks HTTP/1.1 over TLS (${tls:-TLS details unknown}; no HTTP/2 in wrk), keepalive on" \
  "every connection; Nginx to the replica: HTTP/1.1 keepalive pool (keepalive 64)"
echo "- quiet window: $quiet"
bench_conditions "$load_start" "$load_after" "$cpu" "launcher, replica, Redis, Nginx, wrk, curl"
load1=$(sed 's/.*load average: \([0-9.]*\),.*/\1/' <<<"$load_start")
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "- note: the 1-minute load was $load1 at the start, above half the cores (other work, or the slow decay of" \
    "earlier load): the others' CPU share above says what competed during the measurement; with other work the" \
    "figures are lower and noisier than on an idle machine (the ratios, measured side by side, suffer less)"
fi
echo "- warm-up: $BENCH_WARMUP_ROUNDS x (${BENCH_WARMUP_SECONDS}s increment, ${BENCH_WARMUP_SECONDS}s GET /), alternately" \
  "via Nginx and direct, on the same JVM, not counted; req/s: increment via Nginx $(rates warm_ni)," \
  "direct $(rates warm_di); GET / direct $(rates warm_dg), via Nginx $(rates warm_ng)"
echo "- measured: $BENCH_ROUNDS interleaved rounds of five ${BENCH_SECONDS}s wrk runs (increment via Nginx and direct," \
  "GET / via Nginx and direct, order alternating by round, then /nginx-health), wrk -t$BENCH_WRK_THREADS" \
  "-c$BENCH_CONNECTIONS; medians in bold"
echo
summary_header
summary_row "Tally POST increment" "via Nginx (HTTPS)" ni
summary_row "Tally POST increment" "direct (HTTP)" di
summary_row "Tally GET /" "via Nginx (HTTPS)" ng
summary_row "Tally GET /" "direct (HTTP)" dg
summary_row "Nginx static GET /nginx-health" "Nginx (HTTPS)" st
echo
echo "p50/p99: medians of the rounds; non-2xx, socket errors: totals; counter - 2xx: range over the rounds" \
  "(requests in flight when wrk stopped, 0..$BENCH_CONNECTIONS)."
echo
echo "| ratio (of medians) | value | round by round | aim |"
echo "|---|---:|---|---|"
echo "| increment via Nginx / increment direct | **$inc_ratio** | $(round_ratios ni di) | >= $aim: **$(verdict "$inc_ratio")** |"
echo "| GET / via Nginx / GET / direct | **$get_ratio** | $(round_ratios ng dg) | >= $aim: **$(verdict "$get_ratio")** |"
echo "| increment via Nginx / Nginx static | $(bench_ratio "$m_ni" "$m_st") | $(round_ratios ni st) | |"
echo "| GET / via Nginx / Nginx static | $(bench_ratio "$m_ng" "$m_st") | $(round_ratios ng st) | |"
echo "| GET / direct / Nginx static | $(bench_ratio "$m_dg" "$m_st") | $(round_ratios dg st) | |"

if [ "$BENCH_SCALE_REPLICAS" -gt 0 ]; then
  m_sni=$(median_of s_ni rps) m_sng=$(median_of s_ng rps) m_sst=$(median_of s_st rps)
  echo
  echo "### Second stack: $BENCH_REPLICAS replicas behind Nginx (a separate stack, measured after the first)"
  echo
  echo "- load before: $load_scale_before"
  echo "- load after:  $load_scale_after (includes this benchmark's own load)"
  echo "- CPU during the measured rounds: $(bench_field "$s_cpu" busy) of the machine busy," \
    "$(bench_field "$s_cpu" others) used by processes other than this benchmark"
  echo "- warm-up: $BENCH_WARMUP_ROUNDS x (${BENCH_WARMUP_SECONDS}s increment, ${BENCH_WARMUP_SECONDS}s GET /) via Nginx," \
    "spread over the $BENCH_REPLICAS replicas by least_conn, not counted; req/s: increment $(rates s_warm_ni)," \
    "GET / $(rates s_warm_ng)"
  echo "- measured: $BENCH_ROUNDS rounds of increment via Nginx, GET / via Nginx, /nginx-health, ${BENCH_SECONDS}s each;" \
    "all $BENCH_REPLICAS replicas, Redis, Nginx and wrk share the same $(nproc) cores"
  echo
  summary_header
  summary_row "Tally POST increment, $BENCH_REPLICAS replicas" "via Nginx (HTTPS)" s_ni
  summary_row "Tally GET /, $BENCH_REPLICAS replicas" "via Nginx (HTTPS)" s_ng
  summary_row "Nginx static GET /nginx-health (second stack)" "Nginx (HTTPS)" s_st
  echo
  echo "| ratio (of medians) | value | round by round |"
  echo "|---|---:|---|"
  echo "| increment via Nginx, $BENCH_REPLICAS replicas / Nginx static (same stack) | $(bench_ratio "$m_sni" "$m_sst") | $(round_ratios s_ni s_st) |"
  echo "| GET / via Nginx, $BENCH_REPLICAS replicas / Nginx static (same stack) | $(bench_ratio "$m_sng" "$m_sst") | $(round_ratios s_ng s_st) |"
  echo "| increment via Nginx, $BENCH_REPLICAS replicas / 1 replica via Nginx (across stacks) | $(bench_ratio "$m_sni" "$m_ni") | |"
  echo "| increment via Nginx, $BENCH_REPLICAS replicas / 1 replica direct (across stacks) | $(bench_ratio "$m_sni" "$m_di") | |"
  echo "| GET / via Nginx, $BENCH_REPLICAS replicas / 1 replica direct (across stacks) | $(bench_ratio "$m_sng" "$m_dg") | |"
fi

echo
echo "- aim (Tally through Nginx >= $aim of the direct rate, one replica): increments **$inc_ratio ($(verdict "$inc_ratio"))**," \
  "GET / **$get_ratio ($(verdict "$get_ratio"))**"
bench_finish
