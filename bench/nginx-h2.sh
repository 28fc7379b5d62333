#!/usr/bin/env bash
# Nginx's connection settings and access log on the hot path, side by side on one stack (one replica behind
# Nginx, HTTPS): each variant is the shipped config (nginx/tally.conf.template as deploy/local/up renders it) with
# one thing changed in the rendered copy, switched by a reload (SIGHUP to the master, by PID), rounds interleaved.
#
#   1. h2: `h2load -m 10` increments over few connections, shipped config vs Nginx's old defaults
#      (keepalive_requests 1000 for clients and upstream, keepalive 64): requests lost (h2load never reconnects
#      after a GOAWAY), req/s, and the upstream connections Nginx closed (TIME-WAIT towards the replica's port).
#      Exits 1 if the shipped config loses a request or a counter disagrees.
#   2. the access log: GET / via Nginx (wrk, HTTP/1.1 over TLS) with the shipped buffered log, an unbuffered
#      log (one write per request), and no log.
#
#   bench/nginx-h2.sh      # ~4 minutes with the defaults; progress on stderr, table on stdout
#
# Settings (environment), with defaults: BENCH_WARMUP_ROUNDS (3), BENCH_WARMUP_SECONDS (10), BENCH_ROUNDS (3),
# BENCH_SECONDS (10), BENCH_H2_REQUESTS (40000), BENCH_H2_CLIENTS (4), BENCH_H2_STREAMS (10), and those of
# bench/lib.sh (BENCH_NGINX is always on here, with 1 replica).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${BENCH_WARMUP_ROUNDS:=3}" "${BENCH_WARMUP_SECONDS:=10}" "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=10}"
: "${BENCH_H2_REQUESTS:=40000}" "${BENCH_H2_CLIENTS:=4}" "${BENCH_H2_STREAMS:=10}"
bench_settings BENCH_WARMUP_ROUNDS:0 BENCH_WARMUP_SECONDS:1 BENCH_ROUNDS:1 BENCH_SECONDS:1 BENCH_H2_REQUESTS:1 \
  BENCH_H2_CLIENTS:1 BENCH_H2_STREAMS:1
bench_need wrk:wrk h2load:nghttp2-client curl:curl nginx:nginx openssl:openssl envsubst:gettext-base ss:iproute2
BENCH_NGINX=on BENCH_REPLICAS=1

trap bench_stack_stop EXIT
trap 'exit 130' INT TERM

load_start=$(uptime)
bench_stack_start
conf=$bench_run_dir/nginx/tally.conf
shipped=$bench_run_dir/nginx/tally.conf.shipped
cp "$conf" "$shipped"
proxy=https://127.0.0.1:$BENCH_HTTPS_PORT
direct=http://127.0.0.1:$BENCH_PORT
raw=$bench_run_dir/bench-raw.log
body=$bench_run_dir/h2load-body.json
echo '{}' >"$body"

# variant NAME: the rendered config becomes the shipped one with NAME's change, and Nginx reloads into it.
variant() {
  case "$1" in
    shipped) cp "$shipped" "$conf" ;;
    old-defaults) sed -e 's/^\( *keepalive_requests\) [0-9]*;/\1 1000;/' -e 's/^\( *keepalive\) [0-9]*;/\1 64;/' "$shipped" >"$conf" ;;
    log-unbuffered) sed 's/^\( *access_log .*\) buffer=[^;]*;/\1;/' "$shipped" >"$conf" ;;
    log-off) sed 's/^\( *access_log \)[^;]*tally_access[^;]*;/\1off;/' "$shipped" >"$conf" ;;
    *) bench_die "internal: no variant $1" ;;
  esac
  [ "$1" = shipped ] || ! cmp -s "$shipped" "$conf" || bench_die "internal: variant $1 changed nothing"
  nginx -t -q -p "$bench_run_dir/nginx" -c "$bench_run_dir/nginx/nginx.conf" || bench_die "variant $1 is invalid"
  kill -HUP "$bench_nginx_pid"
  sleep 1.5 # new workers up, the old ones done with their connections
}

# h2run ID: h2load increments on one counter; prints "rps=.. lost=.. counter_diff=.. upstream_closed=..".
h2run() {
  local counter="/api/v1/counters/h2-$$-$1" out before after value ok total
  before=$(ss -Htn state time-wait "( dport = :$BENCH_PORT )" | wc -l)
  out=$(h2load -n "$BENCH_H2_REQUESTS" -c "$BENCH_H2_CLIENTS" -m "$BENCH_H2_STREAMS" -d "$body" \
    -H 'content-type: application/json' "$proxy$counter/increment" 2>&1) || true
  after=$(ss -Htn state time-wait "( dport = :$BENCH_PORT )" | wc -l)
  printf '%s\n' "$out" >>"$raw"
  ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' <<<"$out")
  total=$(sed -n 's/^requests: \([0-9]*\) total.*/\1/p' <<<"$out")
  [ -n "$ok" ] && [ -n "$total" ] || bench_die "h2load gave no summary: $out"
  sleep 0.5
  value=$(curl -sf "$direct$counter" | sed -n 's/.*"value":\(-\{0,1\}[0-9]*\).*/\1/p')
  echo "rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out") lost=$((total - ok))" \
    "counter_diff=$((${value:-0} - ok)) upstream_closed=$((after > before ? after - before : 0))"
}

for ((r = 1; r <= BENCH_WARMUP_ROUNDS; r++)); do
  line=$(bench_wrk get.lua "$proxy/" "$BENCH_WARMUP_SECONDS" "$raw")
  h2=$(h2run "w$r")
  bench_say "warm-up $r/$BENCH_WARMUP_ROUNDS (not counted): GET / via Nginx $(bench_field "$line" rps) req/s," \
    "h2load increments $(bench_field "$h2" rps) req/s"
done

cpu_mark=$(bench_cpu_mark)
declare -A h2 logs
h2_variants=(shipped old-defaults)
log_variants=(shipped log-unbuffered log-off)
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  # The order rotates by round, so a JVM still warming up does not always favour the same variant.
  for ((k = 0; k < ${#h2_variants[@]}; k++)); do
    v=${h2_variants[(k + r) % ${#h2_variants[@]}]}
    variant "$v"
    h2[$v,$r]=$(h2run "$v-$r")
    bench_say "round $r: h2load increments, $v: ${h2[$v,$r]}"
  done
  for ((k = 0; k < ${#log_variants[@]}; k++)); do
    v=${log_variants[(k + r) % ${#log_variants[@]}]}
    variant "$v"
    logs[$v,$r]=$(bench_wrk get.lua "$proxy/" "$BENCH_SECONDS" "$raw")
    bench_check "round $r GET / via Nginx, $v" "${logs[$v,$r]}"
    bench_say "round $r: GET / via Nginx, $v: $(bench_field "${logs[$v,$r]}" rps) req/s"
  done
done
variant shipped
cpu=$(bench_cpu_others "$cpu_mark")
load_after=$(uptime)

# column ARRAY VARIANT KEY: KEY of every round ("a, b, c"); cmedian: their median; csum: their sum.
column() {
  local -n column_of=$1
  local r
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do
    printf '%s%s' "$([ "$r" -gt 1 ] && echo ', ')" "$(bench_field "${column_of[$2,$r]}" "$3" | awk '{ printf "%.0f", $1 }')"
  done
}
cmedian() {
  local -n cmedian_of=$1
  local r values=()
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do values+=("$(bench_field "${cmedian_of[$2,$r]}" "$3")"); done
  bench_median "${values[@]}"
}
csum() {
  local -n csum_of=$1
  local r s=0
  for ((r = 1; r <= BENCH_ROUNDS; r++)); do s=$((s + $(bench_field "${csum_of[$2,$r]}" "$3"))); done
  echo "$s"
}

for ((r = 1; r <= BENCH_ROUNDS; r++)); do
  line=${h2[shipped,$r]}
  [ "$(bench_field "$line" lost)" -eq 0 ] ||
    bench_defects+=("round $r: the shipped config lost $(bench_field "$line" lost) of $BENCH_H2_REQUESTS h2load requests")
  [ "$(bench_field "$line" counter_diff)" -eq 0 ] ||
    bench_defects+=("round $r: the counter differs from the 2xx answers by $(bench_field "$line" counter_diff)")
done

echo "## Nginx on the hot path: h2 connection reuse and the access log's cost"
echo
bench_machine
echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), one replica behind it, rate limits lifted"
bench_conditions "$load_start" "$load_after" "$cpu" "launcher, replica, Redis, Nginx, wrk, h2load"
echo "- warm-up: $BENCH_WARMUP_ROUNDS x (${BENCH_WARMUP_SECONDS}s wrk GET / via Nginx, one h2load run), not counted;" \
  "then $BENCH_ROUNDS rounds, each variant once per round in rotating order, switched by a reload"
echo
echo "### h2load -n $BENCH_H2_REQUESTS -c $BENCH_H2_CLIENTS -m $BENCH_H2_STREAMS, POST increment through Nginx"
echo
echo "| config | req/s by round | median req/s | requests lost (total) | upstream connections closed (total) |"
echo "|---|---|---:|---:|---:|"
for v in "${h2_variants[@]}"; do
  printf '| %s | %s | **%.0f** | %d | %d |\n' "$v" "$(column h2 "$v" rps)" "$(cmedian h2 "$v" rps)" \
    "$(csum h2 "$v" lost)" "$(csum h2 "$v" upstream_closed)"
done
echo
echo "old-defaults: keepalive_requests 1000 (clients and upstream) and upstream keepalive 64, Nginx's defaults and" \
  "the template before; shipped: 100000 and keepalive 256. Lost: no answer (GOAWAY, h2load does not reconnect);" \
  "h2load's req/s counts the answered requests only, so a run that lost most of them is not comparable by rate."
echo
echo "### wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS GET / through Nginx (HTTP/1.1 over TLS), ${BENCH_SECONDS}s rounds"
echo
echo "| access log | req/s by round | median req/s | p99 ms (median) | ÷ no log |"
echo "|---|---|---:|---:|---:|"
off=$(cmedian logs log-off rps)
for v in "${log_variants[@]}"; do
  printf '| %s | %s | **%.0f** | %.2f | %s |\n' "$v" "$(column logs "$v" rps)" "$(cmedian logs "$v" rps)" \
    "$(cmedian logs "$v" p99_ms)" "$(bench_ratio "$(cmedian logs "$v" rps)" "$off")"
done
echo
echo "shipped: the JSON access log with buffer=64k flush=1s; log-unbuffered: the same without buffer (one write per" \
  "request); log-off: access_log off."
echo
bench_finish
