#!/usr/bin/python3
"""bench/stress.sh's arithmetic: what one step measured, and the knee over all steps (plus one plot).

  stress_report.py step STEP_DIR MAX_P99_MS MAX_ERROR_PCT   one line of key=value for the step (pass=1|0)
  stress_report.py knee DIR MAX_P99_MS MAX_ERROR_PCT        the markdown table, the knee, what saturates there

A step dir holds locust_stats.csv (locust --csv), requests.csv (the locustfile's TALLY_REQUEST_LOG: one line per
request), verify.json (bench/locustfile.py) and before.txt / after.txt (bench/sampler.py once, at the start and the
end of the counted part) plus step.env (users, seconds, settle, counted_from, locust_cpu_pct, busy_pct). With a
request log, a step counts only what started from counted_from until counted_until: its first `settle` seconds and the
users' final checks at its end are left out. The step's
p50 and p99 are over HTTP requests only; a flow's end-to-end time (a job from submit until final, which includes its
polls) has its own column, as it is a wait the user chose, not a request's latency.
"""

import csv
import json
import math
import os
import sys

# flow: the locust row whose p99 stands for the flow (its user-visible operation)
FLOWS = {"browser": "browser: visit", "api": "api: increment", "job": "job: submit until final",
         "live": "live: increment until seen"}


def keyvalues(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for part in f.read().split():
                if "=" in part:
                    k, v = part.split("=", 1)
                    try:
                        out[k] = float(v)
                    except ValueError:
                        pass
    return out


def num(row, key):
    try:
        return float(row[key])
    except (KeyError, ValueError):
        return 0.0


def percentile(sorted_ms, q):
    """Nearest rank: the smallest value with at least q of all values at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)] if sorted_ms else 0.0


def rows_from_log(path, since, until):
    """locust_stats.csv's rows (those step() reads) from the locustfile's request log, counting only what started
    at or after `since`: a step's first seconds (every user starting at once: TLS handshakes, first requests of one
    Python process) are left out, so that the step measures its steady state. By start, not by end: a request begun
    in that burst and answered seconds later belongs to the burst (at 320 users such requests, ending just after
    `since`, made a step's p99 5.9 s where its own requests' was 0.35 s). What starts after `until` is the users'
    final checks as locust stops them, a burst of reads that is no part of the load."""
    by_name = {}
    with open(path) as f:
        for ended, kind, name, ms, failed in (r for r in csv.reader(f) if len(r) == 5):
            if since <= float(ended) - float(ms) / 1000 < until:
                entry = by_name.setdefault((kind, name), ([], [0]))
                entry[0].append(float(ms))
                entry[1][0] += int(failed)

    def row(kind, name, times, failures):
        times.sort()
        return {"Type": kind, "Name": name, "Request Count": len(times), "Failure Count": failures,
                "50%": percentile(times, 0.5), "99%": percentile(times, 0.99)}

    rows = [row(kind, name, times, failed[0]) for (kind, name), (times, failed) in by_name.items()]
    requests = {key: entry for key, entry in by_name.items() if key[0] not in ("FLOW", "CHECK")}
    every = [ms for times, _ in requests.values() for ms in times]
    rows.append(row("", "Aggregated", every, sum(failed[0] for _, failed in requests.values())))
    return rows


def step(d, max_p99, max_errors):
    env = keyvalues(os.path.join(d, "step.env"))
    log = os.path.join(d, "requests.csv")
    seconds = env.get("seconds", 1)
    if os.path.exists(log) and "counted_from" in env:
        until = env.get("counted_until", math.inf)
        rows = rows_from_log(log, env["counted_from"], until)
        if until < math.inf:
            seconds = until - env["counted_from"]
    else:
        with open(os.path.join(d, "locust_stats.csv")) as f:
            rows = list(csv.DictReader(f))
    http = [r for r in rows if r["Type"] not in ("FLOW", "CHECK", "") and r["Name"] != "Aggregated"]
    agg = next(r for r in rows if r["Name"] == "Aggregated")
    requests = sum(num(r, "Request Count") for r in http)
    failures = sum(num(r, "Failure Count") for r in rows if r["Name"] != "Aggregated")
    out = {"users": env.get("users", 0), "rps": requests / seconds, "p50_ms": num(agg, "50%"),
           "p99_ms": num(agg, "99%"), "requests": requests, "failures": failures,
           "errors_pct": 100 * failures / requests if requests else 100.0}
    for flow, name in FLOWS.items():
        mine = [r for r in http if r["Name"].startswith(flow + ":")]
        out[f"{flow}_rps"] = sum(num(r, "Request Count") for r in mine) / seconds
        row = next((r for r in rows if r["Name"] == name), None)
        out[f"{flow}_p99_ms"] = num(row, "99%") if row else 0.0
        out[f"{flow}_ops_per_s"] = num(row, "Request Count") / seconds if row else 0.0
    before, after = keyvalues(os.path.join(d, "before.txt")), keyvalues(os.path.join(d, "after.txt"))
    cpu = lambda src: 100 * (after.get(f"{src}.cpu_seconds", 0) - before.get(f"{src}.cpu_seconds", 0)) / seconds
    replicas = sorted({k.split(".")[0] for k in after if k.startswith("replica-")})
    out["replicas_cpu_pct"] = sum(cpu(r) for r in replicas)
    out["redis_cpu_pct"] = cpu("redis")
    def mean(src, name):  # over the step: difference of the sum over difference of the count
        n = after.get(f"{src}.{name}_count", 0) - before.get(f"{src}.{name}_count", 0)
        return (after.get(f"{src}.{name}_sum_ms", 0) - before.get(f"{src}.{name}_sum_ms", 0)) / n if n > 0 else 0.0

    # the busiest replica's mean over the step (Micrometer's _max is a decaying 2-minute max: it would carry an
    # earlier step's peak into this one)
    out["eventloop_mean_ms"] = max((mean(r, "eventloop_delay") for r in replicas), default=0)
    out["pool_wait_mean_ms"] = max((mean(r, "redis_pool_wait") for r in replicas), default=0)
    out["locust_cpu_pct"] = env.get("locust_cpu_pct", 0)
    out["machine_busy_pct"] = env.get("busy_pct", 0)
    # CPU of everything else on the machine (other builds, other benchmarks), in % of one core; includes Nginx,
    # which is not sampled
    out["others_pct"] = max(0.0, out["machine_busy_pct"] * os.cpu_count() - out["replicas_cpu_pct"]
                            - out["redis_cpu_pct"] - out["locust_cpu_pct"])
    with open(os.path.join(d, "verify.json")) as f:
        verify = json.load(f)
    out["check_failures"] = verify.get("check_failures", 0)
    out["pass"] = int(out["p99_ms"] <= max_p99 and out["errors_pct"] <= max_errors)
    return out


def signs(s):
    """What is at or near its limit at a step, the machine's CPU first (on 2 shared cores it starves everything
    else: event-loop delay and pool wait then follow from it), each with its value, so a reader can judge."""
    return [text for hit, text in [
        (s["machine_busy_pct"] >= 90, f"the machine's CPU ({s['machine_busy_pct']:.0f}% of all cores busy,"
                                      f" {s['others_pct']:.0f}% of a core used by processes outside this benchmark)"),
        (s["redis_cpu_pct"] >= 85, f"Redis (its one thread {s['redis_cpu_pct']:.0f}% busy)"),
        (s["pool_wait_mean_ms"] >= 5, f"the Redis connection pool (mean wait {s['pool_wait_mean_ms']:.1f} ms)"),
        (s["eventloop_mean_ms"] >= 10, f"the event loops (mean delay {s['eventloop_mean_ms']:.1f} ms)"),
        (s["locust_cpu_pct"] >= 85, f"the load generator (one locust process, {s['locust_cpu_pct']:.0f}% of a core)"),
    ] if hit]


def saturation(s):
    named = signs(s)
    return "; then ".join(named) if named else "nothing clearly (no sign reached its threshold)"


def knee(d, max_p99, max_errors):
    steps = []
    for name in sorted(os.listdir(d)):
        if name.startswith("step-") and os.path.exists(os.path.join(d, name, "locust_stats.csv")):
            steps.append(step(os.path.join(d, name), max_p99, max_errors))
    steps.sort(key=lambda s: s["users"])
    print("| users | req/s | p50 ms | p99 ms | errors % | browser req/s, p99 visit | api req/s, p99 increment |"
          " job req/s, p99 submit→final | live req/s, p99 increment→seen | CPU % replicas / Redis / locust / machine |"
          " event loop mean ms | pool wait mean ms | within bounds |")
    print("|" + "---:|" * 12 + "---|")
    for s in steps:
        flows = " | ".join(f"{s[f + '_rps']:.0f}, {s[f + '_p99_ms']:.0f}" for f in FLOWS)
        print(f"| {s['users']:.0f} | {s['rps']:.0f} | {s['p50_ms']:.0f} | {s['p99_ms']:.0f} | {s['errors_pct']:.2f} |"
              f" {flows} | {s['replicas_cpu_pct']:.0f} / {s['redis_cpu_pct']:.0f} / {s['locust_cpu_pct']:.0f} /"
              f" {s['machine_busy_pct']:.0f} | {s['eventloop_mean_ms']:.1f} | {s['pool_wait_mean_ms']:.1f} |"
              f" {'yes' if s['pass'] else '**no**'} |")
    print()
    good = [s for s in steps if s["pass"]]
    if good:
        best = max(good, key=lambda s: s["rps"])
        print(f"- knee (highest throughput with p99 <= {max_p99:g} ms and errors <= {max_errors:g}%):"
              f" **{best['rps']:.0f} req/s at {best['users']:.0f} users** (p99 {best['p99_ms']:.0f} ms)")
    else:
        best = None
        print(f"- knee: no step stayed within p99 <= {max_p99:g} ms and errors <= {max_errors:g}%")
    for f in FLOWS:
        ok = [s for s in steps if s["errors_pct"] <= max_errors and s[f + "_p99_ms"] <= max_p99]
        if ok:
            b = max(ok, key=lambda s: s[f + "_rps"])
            print(f"- {f}: highest {b[f + '_rps']:.0f} req/s ({b[f + '_ops_per_s']:.1f} {FLOWS[f]}/s) at"
                  f" {b['users']:.0f} users, p99 {b[f + '_p99_ms']:.0f} ms")
        else:
            print(f"- {f}: no step within the bounds")
    last = steps[-1] if steps else None
    if last is not None:
        where = last if not last["pass"] else best
        print(f"- what saturates first ({'the first step past the bounds' if not last['pass'] else 'the last step'},"
              f" {where['users']:.0f} users): {saturation(where)}")
        print(f"- verification failures (wrong counts, lost jobs, ...) over all steps:"
              f" {sum(s['check_failures'] for s in steps):.0f}")
    plot(d, steps, max_p99)
    summary = (f"stress: knee {best['rps']:.0f} req/s at {best['users']:.0f} users (p99 {best['p99_ms']:.0f} ms)"
               if best else "stress: no knee within the bounds")
    print(f"{summary}; saturates first: {saturation(last if not last['pass'] else best) if last else '-'};"
          f" plot {os.path.join(d, 'stress.png')}")


def plot(d, steps, max_p99):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [s["users"] for s in steps]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5))
    a.plot(users, [s["rps"] for s in steps], "o-", label="all")
    for f in FLOWS:
        a.plot(users, [s[f + "_rps"] for s in steps], ".--", label=f)
    a.set_xlabel("users")
    a.set_title("requests/s")
    a.legend(fontsize=7)
    b.plot(users, [s["p50_ms"] for s in steps], "o-", label="p50")
    b.plot(users, [s["p99_ms"] for s in steps], "o-", label="p99")
    b.axhline(max_p99, color="crimson", linestyle="--", label="p99 bound")
    b.set_xlabel("users")
    b.set_title("latency ms")
    b.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "stress.png"), dpi=90)


def main():
    mode, d, max_p99, max_errors = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    if mode == "step":
        print(" ".join(f"{k}={v:.6g}" for k, v in step(d, max_p99, max_errors).items()))
    else:
        knee(d, max_p99, max_errors)


if __name__ == "__main__":
    main()
