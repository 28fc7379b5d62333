#!/usr/bin/python3
"""The soak's verdict and its HTML report (matplotlib), from the files bench/soak.sh leaves in one report dir:

  meta.env                   key=value: title, fit_from (epoch s), bounds, the run's settings and machine lines
  locust_stats_history.csv   locust --csv history (the Aggregated rows: throughput, failures, p50/p99 per second)
  locust_stats.csv           locust --csv totals per request name (the flows' table)
  samples.csv                bench/sampler.py: t,source,metric,value
  faults.csv                 t,label of each fault (optional)
  verify.json                bench/locustfile.py's summary (what every flow checked)

  report.py DIR    writes DIR/index.html and DIR/*.png, prints the figures, exits 1 when the soak failed

The fit window of a resource starts after the warm-up (per source: after its last restart, a replica's or
Redis', plus as long again) and leaves out the FAULT_SETTLE_S after each fault (load moves while a replica restarts,
queues drain after a stall). Its trend is the Theil-Sen slope (the median of the slopes between every two samples:
a GC saw-tooth or one spike does not move it) over the LATER HALF of that window: JIT compilation, code-cache and
metaspace growth and pool fills level off after start-up, so a warm-up curve is flatter in its second half than in
its first, while a leak grows in both (and one that starts mid-run is in the later half). A resource fails when that
trend exceeds its bound per hour AND the growth it predicts over the whole window exceeds the resource's noise
floor: a short run can only see a large leak, and says over how long it looked. The bounds (RESOURCES below, each
overridable as bound_<metric> in meta.env, from SOAK_BOUND_<metric>) per hour: RSS 64 MiB, heap after GC 32 MiB,
OS threads 20, live JVM threads 20, file descriptors 50, Redis used_memory 32 MiB, Redis keys 5000, job stream
entries 100.
"""

import csv
import html
import json
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
from PIL import Image  # noqa: E402 - Pillow, which matplotlib itself needs

# metric: (source kind, unit, default bound per hour, default noise floor over the window)
RESOURCES = {
    "rss_mib": ("replica", "MiB", 64, 24),
    "heap_after_gc_mib": ("replica", "MiB", 32, 16),
    "os_threads": ("replica", "threads", 20, 8),
    "live_threads": ("replica", "threads", 20, 8),
    "fds": ("replica", "fds", 50, 16),
    "used_memory_mib": ("redis", "MiB", 32, 8),
    "keys": ("redis", "keys", 5000, 500),
    "job_stream_length": ("redis", "entries", 100, 50),
}
# plotted as well, not judged: they move with the load, not with a leak
PLOTTED = ["redis_connections", "heap_used_mib", "nonheap_used_mib", "eventloop_delay_max_ms", "redis_pool_wait_max_ms", "process_cpu",
           "live_sockets", "clients"]
MIN_SEGMENT_S = 45  # the CI-sized soak (2 minutes, two faults early) keeps about a minute
FAULT_SETTLE_S = 30
LOSS_KEYS = ["increments_uncertain", "counters_wrong", "sessions_wrong", "sessions_lost", "jobs_lost", "jobs_wrong",
             "live_wrong"]


def read_meta(d):
    meta = {}
    with open(os.path.join(d, "meta.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


def read_samples(d):
    """{(source, metric): [(t, value)]} and {source: [(t, pid)]}."""
    series, pids = defaultdict(list), defaultdict(list)
    with open(os.path.join(d, "samples.csv")) as f:
        for row in csv.DictReader(f):
            t, v = float(row["t"]), float(row["value"])
            (pids[row["source"]] if row["metric"] == "pid" else series[(row["source"], row["metric"])]).append((t, v))
    return series, pids


def read_history(d):
    rows = []
    path = os.path.join(d, "locust_stats_history.csv")
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated":
                continue

            def num(k):
                try:
                    return float(row[k])
                except (ValueError, KeyError):
                    return math.nan

            rows.append({"t": num("Timestamp"), "users": num("User Count"), "rps": num("Requests/s"),
                         "fps": num("Failures/s"), "p50": num("50%"), "p99": num("99%"),
                         "failures": num("Total Failure Count"), "requests": num("Total Request Count")})
    return rows


def read_faults(d):
    path = os.path.join(d, "faults.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [(float(r["t"]), r["label"]) for r in csv.DictReader(f)]


def theil_sen(points):
    """The median of the slopes between every two samples (per second), or None."""
    slopes = sorted((v2 - v1) / (t2 - t1) for i, (t1, v1) in enumerate(points) for t2, v2 in points[i + 1:]
                    if t2 > t1)
    if not slopes:
        return None
    mid = len(slopes) // 2
    return slopes[mid] if len(slopes) % 2 else (slopes[mid - 1] + slopes[mid]) / 2


def fit(points):
    """The trend per hour (Theil-Sen over the later half of the points), the span of all points in seconds, and
    the time the later half starts."""
    if len(points) < 6:
        return None, 0, None
    ts = [t for t, _ in points]
    half = (ts[0] + ts[-1]) / 2
    later = [(t, v) for t, v in points if t >= half]
    slope = theil_sen(later) if len(later) >= 3 else None
    return (None if slope is None else slope * 3600), ts[-1] - ts[0], half


def last_segment_start(pids, source):
    """When the source's current process started being sampled (its last PID change)."""
    seq = pids.get(source, [])
    start = seq[0][0] if seq else 0
    for (_, a), (t, b) in zip(seq, seq[1:]):
        if a != b:
            start = t
    return start


def judge(series, pids, meta, faults):
    fit_from, settle = float(meta["fit_from"]), float(meta.get("settle_s", "60"))
    results = []
    for (source, metric), points in sorted(series.items()):
        if metric not in RESOURCES:
            continue
        _, unit, bound, floor = RESOURCES[metric]
        bound = float(meta.get(f"bound_{metric}", bound))
        floor = float(meta.get(f"floor_{metric}", floor))
        start = fit_from
        if pids.get(source):
            restarted = last_segment_start(pids, source)
            if restarted > pids[source][0][0]:
                start = max(start, restarted + settle)
        window = [(t, v) for t, v in points
                  if t >= start and not any(f <= t < f + FAULT_SETTLE_S for f, _ in faults)]
        slope, span, half = fit(window)
        if slope is None or span < MIN_SEGMENT_S:
            results.append(dict(source=source, metric=metric, unit=unit, bound=bound, floor=floor, slope=None,
                                span=span, growth=None, verdict=f"not judged (under {MIN_SEGMENT_S} s of samples"
                                                                " after the warm-up or its last restart)", fails=False,
                                start=start, half=half))
            continue
        growth = slope * span / 3600
        fails = slope > bound and growth > floor
        results.append(dict(source=source, metric=metric, unit=unit, bound=bound, floor=floor, slope=slope,
                            span=span, growth=growth, fails=fails, start=start, half=half,
                            verdict="LEAK" if fails else "ok"))
    return results


def mark_faults(ax, faults, t0):
    for t, label in faults:
        ax.axvline((t - t0) / 60, color="crimson", linestyle="--", linewidth=1)
        ax.text((t - t0) / 60, ax.get_ylim()[1], " " + label, color="crimson", fontsize=7, rotation=90, va="top")


def plots(d, history, series, results, faults, t0):
    files = []

    def save(fig, name):
        fig.tight_layout()
        path = os.path.join(d, name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        # 32 colours are plenty for line plots and make a PNG a quarter of the size (an example report is committed)
        Image.open(path).convert("RGB").quantize(colors=32).save(path, optimize=True)
        files.append(name)

    if history:
        x = [(r["t"] - t0) / 60 for r in history]
        for name, title, keys in [("throughput.png", "requests/s (all flows)", [("rps", "requests/s")]),
                                  ("latency.png", "latency ms (last 10 s window)", [("p50", "p50"), ("p99", "p99")]),
                                  ("errors.png", "failures", [("fps", "failures/s"), ("failures", "total")])]:
            fig, ax = plt.subplots(figsize=(9, 3))
            for k, label in keys:
                ax.plot(x, [r[k] for r in history], label=label)
            ax.set_title(title)
            ax.set_xlabel("minutes")
            ax.legend(loc="upper left")
            mark_faults(ax, faults, t0)
            save(fig, name)
    fitted = {(r["source"], r["metric"]): r for r in results}
    for metric in list(RESOURCES) + PLOTTED:
        lines = [(s, pts) for (s, m), pts in sorted(series.items()) if m == metric]
        if not lines:
            continue
        fig, ax = plt.subplots(figsize=(9, 3))
        for source, pts in lines:
            ax.plot([(t - t0) / 60 for t, _ in pts], [v for _, v in pts], label=source, linewidth=1)
            r = fitted.get((source, metric))
            if r and r["slope"] is not None:
                window = sorted((t, v) for t, v in pts if t >= r["half"])
                mt = window[len(window) // 2][0]
                mv = sorted(v for _, v in window)[len(window) // 2]
                ends = [window[0][0], window[-1][0]]
                ax.plot([(t - t0) / 60 for t in ends], [mv + r["slope"] / 3600 * (t - mt) for t in ends], "k:",
                        linewidth=1)
        ax.set_title(f"{metric} (dotted: fitted trend)")
        ax.set_xlabel("minutes")
        ax.legend(loc="upper left", fontsize=7)
        mark_faults(ax, faults, t0)
        save(fig, f"{metric}.png")
    return files


def slope_text(r):
    return "-" if r["slope"] is None else f"{r['slope']:+.2f}"


def flows_table(d):
    path = os.path.join(d, "locust_stats.csv")
    if not os.path.exists(path):
        return ""
    cells = ["Type", "Name", "Request Count", "Failure Count", "Requests/s", "50%", "99%", "Max Response Time"]
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = "<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>"
    for r in rows:
        out += "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in cells) + "</tr>"
    return out + "</table>"


def main():
    d = sys.argv[1]
    meta = read_meta(d)
    series, pids = read_samples(d)
    history = read_history(d)
    faults = read_faults(d)
    with open(os.path.join(d, "verify.json")) as f:
        verify = json.load(f)
    t0 = float(meta["started"])
    results = judge(series, pids, meta, faults)
    files = plots(d, history, series, results, faults, t0)

    requests = int(history[-1]["requests"]) if history else 0
    failures = int(history[-1]["failures"]) if history else 0
    losses = {k: verify.get(k, 0) for k in LOSS_KEYS if verify.get(k, 0)}
    missing = verify["increments_acknowledged"] - verify["increments_found"]
    if missing:
        losses["increments_acknowledged_minus_found"] = missing
    leaks = [r for r in results if r["fails"]]
    allowed_failures = meta.get("faults") != "off"  # a request cut by a fault may fail; nothing may be lost
    problems = []
    if failures and not allowed_failures:
        problems.append(f"{failures} failed requests")
    if losses:
        problems.append("lost or wrong: " + ", ".join(f"{k}={v}" for k, v in losses.items()))
    problems += [f"{r['source']} {r['metric']} grows {r['slope']:+.1f} {r['unit']}/h (bound {r['bound']:g})"
                 for r in leaks]
    if meta.get("stream_left", "0") != "0":
        problems.append(f"{meta['stream_left']} job(s) left in the stream after every producer saw its jobs end")
    problems += [f"fault check: {v}" for k, v in sorted(meta.items()) if k.startswith("fault_failed_")]
    if not verify.get("jobs_accepted") or not verify.get("increments_acknowledged"):
        problems.append("no verified work at all")

    judged = [r for r in results if r["slope"] is not None]
    worst = {}
    for r in judged:  # the largest trend of each metric across its sources, for the last line
        if r["metric"] not in worst or r["slope"] > worst[r["metric"]]["slope"]:
            worst[r["metric"]] = r
    trend_text = ", ".join(f"{m} {r['slope']:+.1f}/h" for m, r in worst.items())
    window_min = max((r["span"] for r in judged), default=0) / 60
    for r in results:
        slope = "-" if r["slope"] is None else f"{r['slope']:+.2f} {r['unit']}/h"
        print(f"soak: trend {r['source']} {r['metric']}: {slope} over {r['span'] / 60:.1f} min"
              f" (bound {r['bound']:g}/h, floor {r['floor']:g}) {r['verdict']}")
    verdict = "PASSED" if not problems else "FAILED: " + "; ".join(problems)
    summary = (f"soak {verdict} | {meta.get('minutes')} min, {meta.get('users')} users, faults {meta.get('faults')}"
               f" ({len(faults)} injected) | {requests} requests, {failures} failed | increments acknowledged"
               f" {verify['increments_acknowledged']} found {verify['increments_found']}, sessions checked"
               f" {verify['sessions_checked']}, jobs accepted {verify['jobs_accepted']} succeeded"
               f" {verify['jobs_succeeded']}, live checks {verify['live_checks']} | trends over {window_min:.1f} min:"
               f" {trend_text}")

    rows = "".join(
        f"<tr class='{'bad' if r['fails'] else ''}'><td>{r['source']}</td><td>{r['metric']}</td>"
        f"<td>{slope_text(r)}</td>"
        f"<td>{r['unit']}/h</td><td>{r['bound']:g}</td><td>{r['floor']:g}</td><td>{r['span'] / 60:.1f}</td>"
        f"<td>{html.escape(r['verdict'])}</td></tr>" for r in results)
    faults_html = "".join(f"<li>{(t - t0) / 60:.2f} min: {html.escape(label)}</li>" for t, label in faults)
    facts = "".join(f"<li>{html.escape(v)}</li>" for k, v in sorted(meta.items()) if k.startswith("machine"))
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(meta.get('title', 'soak'))}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:auto}}td,th{{border:1px solid #ccc;padding:2px 6px;
font-size:13px}}table{{border-collapse:collapse}}.bad{{background:#fdd}}.verdict{{font-weight:bold}}</style></head><body>
<h1>{html.escape(meta.get('title', 'soak'))}</h1>
<p class="verdict">{html.escape(summary)}</p>
<ul>{facts}</ul>
<h2>Faults</h2><ul>{faults_html or '<li>none</li>'}</ul>
<h2>What the users verified</h2><pre>{html.escape(json.dumps(verify, indent=1))}</pre>
<h2>Resource trends</h2><p>The window starts at {(float(meta['fit_from']) - t0) / 60:.1f} min, after the warm-up (a
restarted replica or Redis: {float(meta.get('settle_s', 60)):.0f} s after its restart) and leaves out {FAULT_SETTLE_S} s
after each fault. The trend is the Theil-Sen slope over the later half of the window (a warm-up levels off, a leak
does not). It fails when it exceeds its bound per hour and the growth it predicts over the window exceeds the
floor.</p>
<table><tr><th>source</th><th>metric</th><th>trend</th><th>unit</th><th>bound/h</th><th>floor</th><th>window min</th>
<th>verdict</th></tr>{rows}</table>
<h2>Flows</h2>{flows_table(d)}
<h2>Plots</h2>{''.join(f'<p><img src="{f}" alt="{f}"></p>' for f in files)}
</body></html>"""
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write(page)
    print(f"soak: report {os.path.join(d, 'index.html')}")
    print(summary)
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
