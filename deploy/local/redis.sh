# Sourced by deploy/local/up: starts the Redis topology of a local run (TALLY_REDIS_MODE) as real redis-server
# processes on loopback, and says how the replicas reach it. Every node gets the same flags as the standalone
# Redis (append-only, bounded, noeviction), its own directory under the run dir and its own log; the caller stops
# them by PID (redis_pids).
#
#   standalone  one redis-server on TALLY_REDIS_PORT (its data survives runs: append-only file in the run dir)
#   cluster     a Redis Cluster of 3 masters with one replica each on TALLY_REDIS_PORT .. +5, joined by
#               `redis-cli --cluster create --cluster-replicas 1`; each node also listens on its port + 10000 (the
#               cluster bus), so the ports must be below 55535
#   sentinel    a master on TALLY_REDIS_PORT, two replicas of it on +1 and +2, three sentinels on +3 .. +5 that
#               watch it as "tally" (quorum 2)
# A cluster or a Sentinel set starts empty on every run (its directories are made anew): which node is master
# changes with failovers, and an old run's nodes.conf or sentinel.conf would describe a topology that is gone.
#
# After redis_start: redis_client_type, redis_hosts (every node, or every sentinel: quarkus.redis.hosts),
# redis_master_name (sentinel only), redis_pids, and a redis-node-N.pid file per node (N = 1..6) in the run dir, so
# that an operator (or a test) can kill -9 a master and watch the failover.

redis_nodes=6              # cluster: 3 masters + 3 replicas; sentinel: 1 master + 2 replicas + 3 sentinels
redis_node_timeout_ms=5000 # cluster-node-timeout and down-after-milliseconds: a dead master is replaced in ~5-10 s
redis_master_name=tally
redis_pids=()

# redis_ports: the ports the topology listens on (the cluster's bus ports included), one a line.
redis_ports() {
  local i
  case "$redis_mode" in
    standalone) echo "$redis_port" ;;
    cluster) for ((i = 0; i < redis_nodes; i++)); do echo $((redis_port + i)); echo $((redis_port + i + 10000)); done ;;
    sentinel) for ((i = 0; i < redis_nodes; i++)); do echo $((redis_port + i)); done ;;
  esac
}

# redis_check_mode: refuses an unknown mode, or a cluster whose bus ports cannot exist.
redis_check_mode() {
  case "$redis_mode" in
    standalone | sentinel) ;;
    cluster)
      [ $((redis_port + redis_nodes - 1 + 10000)) -le 65535 ] \
        || die "TALLY_REDIS_PORT $redis_port is too high for a cluster: its nodes' bus ports (port + 10000) must exist; use one below 55530"
      ;;
    *) die "TALLY_REDIS_MODE must be standalone, cluster or sentinel, got '$redis_mode'" ;;
  esac
}

# redis_node DIR PORT ARGS...: one redis-server in the background, in DIR, logging to DIR/redis.log.
redis_node() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  redis-server "$@" --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --save '' \
    --maxmemory "$redis_maxmemory" --maxmemory-policy noeviction --logfile "$dir/redis.log" &
  redis_pids+=($!)
  echo $! >"$run_dir/redis-node-${#redis_pids[@]}.pid"
}

# redis_await_port PORT LOG: waits until something listens on PORT, else stops the run naming the log.
redis_await_port() {
  for _ in $(seq 50); do port_free "$1" || return 0; sleep 0.1; done
  die "redis-server on port $1 did not start; see $2"
}

# redis_await TIMEOUT_S WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds, else stops the run.
redis_await() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "no $what within $seconds s (logs in $run_dir/redis-*)"
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$@"; }

# Healthy: every node says cluster_state ok with all slots, and three masters each have an online replica.
redis_cluster_healthy() {
  local i info masters=0
  for ((i = 0; i < redis_nodes; i++)); do
    info=$(redis_cli $((redis_port + i)) cluster info) || return 1
    grep -q 'cluster_state:ok' <<<"$info" && grep -q 'cluster_slots_ok:16384' <<<"$info" || return 1
    info=$(redis_cli $((redis_port + i)) info replication) || return 1
    if grep -q 'role:master' <<<"$info"; then
      grep -q 'slave0:.*state=online' <<<"$info" || return 1
      masters=$((masters + 1))
    fi
  done
  [ "$masters" -eq 3 ]
}

# Healthy: every sentinel sees the master up with both replicas and the other two sentinels.
redis_sentinels_healthy() {
  local i
  for ((i = 3; i < redis_nodes; i++)); do
    redis_cli $((redis_port + i)) info sentinel | grep -q "name=$redis_master_name,status=ok,.*slaves=2,sentinels=3" \
      || return 1
  done
}

redis_start_standalone() {
  # Bounded, refusing writes when full (noeviction): a full Redis answers 503s instead of growing until killed.
  redis_node "$run_dir" "$redis_port"
  redis_await_port "$redis_port" "$run_dir/redis.log"
  redis_client_type=standalone
  redis_hosts="redis://127.0.0.1:$redis_port"
  say "redis-server (pid ${redis_pids[0]}) on $redis_hosts, data in $run_dir, maxmemory $redis_maxmemory"
}

redis_start_cluster() {
  local i port nodes=() dir=$run_dir/redis-cluster
  rm -rf "$dir"
  for ((i = 0; i < redis_nodes; i++)); do
    port=$((redis_port + i))
    redis_node "$dir/$port" "$port" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout "$redis_node_timeout_ms"
    nodes+=("127.0.0.1:$port")
  done
  for ((i = 0; i < redis_nodes; i++)); do redis_await_port $((redis_port + i)) "$dir/$((redis_port + i))/redis.log"; done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
    || die "redis-cli --cluster create failed; see $dir/create.log"
  redis_await 60 "a healthy Redis Cluster (3 masters with a replica each, all slots)" redis_cluster_healthy
  redis_client_type=cluster
  redis_hosts=$(printf 'redis://%s,' "${nodes[@]}")
  redis_hosts=${redis_hosts%,}
  say "Redis Cluster, 3 masters + 3 replicas (node timeout ${redis_node_timeout_ms} ms), data in $dir:"
  for ((i = 0; i < redis_nodes; i++)); do
    port=$((redis_port + i))
    say "  node $((i + 1)) (pid ${redis_pids[i]}) 127.0.0.1:$port $(redis_cli "$port" role | head -1 | sed s/slave/replica/), bus $((port + 10000))"
  done
}

redis_start_sentinel() {
  local i port dir=$run_dir/redis-sentinel
  rm -rf "$dir"
  redis_node "$dir/$redis_port" "$redis_port"
  redis_await_port "$redis_port" "$dir/$redis_port/redis.log"
  for i in 1 2; do
    port=$((redis_port + i))
    redis_node "$dir/$port" "$port" --replicaof 127.0.0.1 "$redis_port"
  done
  for i in 3 4 5; do
    port=$((redis_port + i))
    mkdir -p "$dir/$port"
    # A sentinel rewrites its own config file with what it learns: one file each, made anew every run.
    printf '%s\n' "sentinel monitor $redis_master_name 127.0.0.1 $redis_port 2" \
      "sentinel down-after-milliseconds $redis_master_name $redis_node_timeout_ms" \
      "sentinel failover-timeout $redis_master_name 20000" \
      "sentinel parallel-syncs $redis_master_name 1" >"$dir/$port/sentinel.conf"
    redis-server "$dir/$port/sentinel.conf" --sentinel --port "$port" --bind 127.0.0.1 --dir "$dir/$port" \
      --logfile "$dir/$port/redis.log" &
    redis_pids+=($!)
    echo $! >"$run_dir/redis-node-${#redis_pids[@]}.pid"
  done
  for i in 1 2 3 4 5; do redis_await_port $((redis_port + i)) "$dir/$((redis_port + i))/redis.log"; done
  redis_await 60 "a healthy Sentinel set (master, 2 replicas in sync, 3 sentinels that see them)" redis_sentinels_healthy
  redis_client_type=sentinel
  redis_hosts=""
  for i in 3 4 5; do redis_hosts+="${redis_hosts:+,}redis://127.0.0.1:$((redis_port + i))"; done
  say "Redis Sentinel set, master set '$redis_master_name' (down after ${redis_node_timeout_ms} ms), data in $dir:"
  say "  node 1 (pid ${redis_pids[0]}) 127.0.0.1:$redis_port master"
  for i in 1 2; do say "  node $((i + 1)) (pid ${redis_pids[i]}) 127.0.0.1:$((redis_port + i)) replica"; done
  for i in 3 4 5; do say "  node $((i + 1)) (pid ${redis_pids[i]}) 127.0.0.1:$((redis_port + i)) sentinel"; done
}

# redis_start: the topology of TALLY_REDIS_MODE.
redis_start() {
  "redis_start_$redis_mode"
}

# redis_stop: every node, by PID (sentinels first: they would fail over a master that is merely stopping).
redis_stop() {
  local i
  for ((i = ${#redis_pids[@]} - 1; i >= 0; i--)); do kill -TERM "${redis_pids[i]}" 2>/dev/null || true; done
  for ((i = ${#redis_pids[@]} - 1; i >= 0; i--)); do wait "${redis_pids[i]}" 2>/dev/null || true; done
}
