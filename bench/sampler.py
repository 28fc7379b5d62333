#!/usr/bin/python3
"""Samples a local Tally stack's resources: each replica from /proc (by the PID in its run dir's replica-N.pid,
so a restarted replica is followed) and from its own /q/metrics (with the run's ops token), and Redis from
redis-cli (INFO, DBSIZE, XLEN of the job stream). Loopback only. Used by bench/soak.sh and bench/stress.sh.

  sampler.py loop RUN_DIR REPLICAS MGMT_PORT REDIS_PORT INTERVAL OUT.csv   # until SIGTERM/SIGINT
  sampler.py once RUN_DIR REPLICAS MGMT_PORT REDIS_PORT                   # one line of key=value, all replicas

OUT.csv is long-format: t (seconds since the epoch), source (replica-N or redis), metric, value. With
SAMPLER_REDIS_LINK_PORT set (the port the replicas dial for Redis), each replica's open Redis connections too. A source that
cannot be read at a sample (a replica restarting after a fault) is skipped for that sample, not guessed.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
STREAM = "tally:{jobs}:stream"
# The port the replicas dial for Redis (bench/soak.sh: its fault proxy), for the redis_connections metric.
LINK_PORT = int(os.environ.get("SAMPLER_REDIS_LINK_PORT", "0"))
# In loop mode, every replica gets a full collection this often (0: never), just before a sample, so that
# heap_after_gc_mib is its live set: Micrometer's jvm_gc_live_data_size_bytes moves only after an old-generation
# collection, and G1 with a soak's fixed heap may never run one by itself (it stayed 0 through a 30-minute soak).
FULL_GC_SECONDS = float(os.environ.get("SAMPLER_FULL_GC_SECONDS", "0"))


def prometheus(text):
    """{name: [(labels, value)]} from the Prometheus text format."""
    out = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        head, _, value = line.rpartition(" ")
        name, _, labels = head.partition("{")
        try:
            out.setdefault(name, []).append((labels.rstrip("}"), float(value)))
        except ValueError:
            continue
    return out


def total(metrics, name, *must):
    """The sum of a metric's series whose labels contain every string in `must`; None when absent."""
    series = [v for labels, v in metrics.get(name, []) if all(m in labels for m in must)]
    return sum(series) if series else None


def largest(metrics, name):
    series = [v for _, v in metrics.get(name, [])]
    return max(series) if series else None


def proc(pid):
    """rss_mib, os_threads, fds, cpu_seconds of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # after the name: state is fields[0], so utime/stime (stat 14/15) are [11]/[12], num_threads [17], rss [21]
    return {
        "rss_mib": int(fields[21]) * PAGE / 2**20,
        "os_threads": int(fields[17]),
        "fds": fds,
        "cpu_seconds": (int(fields[11]) + int(fields[12])) / TICKS,
    }


def connections_to(pid, port):
    """How many established TCP connections the process holds to 127.0.0.1:port (its sockets' inodes, matched in
    /proc/net/tcp): the Redis connections a replica really has open, which the pool's gauges do not say."""
    try:
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")
                  if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")}
        rows = []
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):  # a JVM dials from IPv6 sockets (::ffff:127.0.0.1)
            with open(table) as f:
                rows += [line.split() for line in f.readlines()[1:]]
    except OSError:
        return None
    targets = {f"0100007F:{port:04X}", f"0000000000000000FFFF00000100007F:{port:04X}"}
    return sum(1 for r in rows if r[2] in targets and r[3] == "01" and r[9] in inodes)


def replica_pid(run_dir, n):
    try:
        with open(os.path.join(run_dir, f"replica-{n}.pid")) as f:
            return int(f.read().strip())
    except (FileNotFoundError, ValueError):
        return None


def full_gc(pid):
    """A full collection (jcmd GC.run, from the replica's own JDK); a replica that is gone or starting is let be."""
    try:
        jcmd = os.path.join(os.path.dirname(os.readlink(f"/proc/{pid}/exe")), "jcmd")
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pass


def replica(run_dir, n, mgmt_port, token):
    pid = replica_pid(run_dir, n)
    if pid is None:
        return None
    values = proc(pid)
    if values is None:
        return None
    values["pid"] = pid
    link = connections_to(pid, LINK_PORT) if LINK_PORT else None
    if link is not None:
        values["redis_connections"] = link
    request = urllib.request.Request(f"http://127.0.0.1:{mgmt_port + n - 1}/q/metrics",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=3) as r:
            m = prometheus(r.read().decode())
    except OSError:
        return values  # /proc is still worth having while the replica starts or drains
    mib = 2**20
    picks = {
        # heap after the last collection (Micrometer: the long-lived pool after reclamation)
        "heap_after_gc_mib": (total(m, "jvm_gc_live_data_size_bytes"), mib),
        "heap_used_mib": (total(m, "jvm_memory_used_bytes", 'area="heap"'), mib),
        "nonheap_used_mib": (total(m, "jvm_memory_used_bytes", 'area="nonheap"'), mib),
        "live_threads": (total(m, "jvm_threads_live_threads"), 1),
        "open_files": (total(m, "process_files_open_files"), 1),
        "eventloop_delay_max_ms": (largest(m, "tally_eventloop_delay_seconds_max"), 0.001),
        "redis_pool_wait_max_ms": (largest(m, "redis_pool_queue_delay_seconds_max"), 0.001),
        # sums and counts too: a step's mean is their difference over it (the _max is a decaying 2-minute max)
        "eventloop_delay_sum_ms": (total(m, "tally_eventloop_delay_seconds_sum"), 0.001),
        "eventloop_delay_count": (total(m, "tally_eventloop_delay_seconds_count"), 1),
        "redis_pool_wait_sum_ms": (total(m, "redis_pool_queue_delay_seconds_sum"), 0.001),
        "redis_pool_wait_count": (total(m, "redis_pool_queue_delay_seconds_count"), 1),
        "redis_pool_queued": (total(m, "redis_pool_queue_size"), 1),
        "process_cpu": (total(m, "process_cpu_usage"), 1),
        "system_cpu": (total(m, "system_cpu_usage"), 1),
        "http_requests": (total(m, "http_server_requests_seconds_count"), 1),
        "http_5xx": (total(m, "http_server_requests_seconds_count", 'outcome="SERVER_ERROR"'), 1),
        "live_sockets": (total(m, "tally_live_sockets_open"), 1),
    }
    if not picks["heap_after_gc_mib"][0]:
        del picks["heap_after_gc_mib"]  # 0 until the first full collection: no figure yet, not an empty heap
    for name, (value, scale) in picks.items():
        if value is not None:
            values[name] = value / scale
    return values


def redis(port):
    def cli(*args):
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True,
                              text=True, timeout=3).stdout

    try:
        info = dict(line.split(":", 1) for line in cli("INFO").splitlines() if ":" in line)
        return {
            "used_memory_mib": int(info["used_memory"]) / 2**20,
            "rss_mib": int(info["used_memory_rss"]) / 2**20,
            "keys": int(cli("DBSIZE").strip()),
            "job_stream_length": int(cli("XLEN", STREAM).strip() or 0),
            "cpu_seconds": float(info["used_cpu_sys"]) + float(info["used_cpu_user"]),
            "clients": int(info["connected_clients"]),
            "pid": int(info["process_id"]),  # a restart (from its AOF) starts a new segment of its trends
        }
    except (subprocess.SubprocessError, KeyError, ValueError, OSError):
        return None  # frozen (SIGSTOP) or restarting: no sample, not a zero


def sample(run_dir, replicas, mgmt_port, redis_port, token):
    sources = {f"replica-{n}": replica(run_dir, n, mgmt_port, token) for n in range(1, replicas + 1)}
    sources["redis"] = redis(redis_port)
    return {k: v for k, v in sources.items() if v is not None}


def main():
    mode, run_dir, replicas, mgmt_port, redis_port = sys.argv[1:6]
    replicas, mgmt_port, redis_port = int(replicas), int(mgmt_port), int(redis_port)
    with open(os.path.join(run_dir, "ops-token")) as f:
        token = f.read().strip()
    if mode == "once":
        got = sample(run_dir, replicas, mgmt_port, redis_port, token)
        print(" ".join(f"{s}.{k}={v:.6g}" for s, values in got.items() for k, v in values.items()))
        return
    interval, out = float(sys.argv[6]), sys.argv[7]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(out, "a") as f:
        if f.tell() == 0:
            f.write("t,source,metric,value\n")
        next_at = time.time()
        gc_at = next_at + FULL_GC_SECONDS
        while not stop:
            if FULL_GC_SECONDS and time.time() >= gc_at:
                for pid in filter(None, (replica_pid(run_dir, n) for n in range(1, replicas + 1))):
                    full_gc(pid)
                gc_at += FULL_GC_SECONDS
            t = time.time()
            for source, values in sample(run_dir, replicas, mgmt_port, redis_port, token).items():
                for k, v in values.items():
                    f.write(f"{t:.3f},{source},{k},{v:.6g}\n")
            f.flush()
            next_at += interval
            while not stop and time.time() < next_at:
                time.sleep(min(0.2, max(0, next_at - time.time())))


if __name__ == "__main__":
    main()
