"""CPU time of processes by thread group, between two snapshots (Linux /proc).

    thread_cpu.py snapshot PID...                 > BEFORE   (one line per thread, and one per process)
    thread_cpu.py report BEFORE AFTER UNITS [LABEL]

report prints "cpu_us=.. top=.." on one line: the processes' CPU µs per unit between the snapshots (utime + stime
of the processes as a whole, so threads that ended in between count too), and the groups that used the most, as
group:µs per unit joined by commas. A group is a thread's name without its number (the kernel keeps 15
characters: vert.x-eventloop-thread-1 is "vert.x-eventloo", a virtual-thread carrier "ForkJoinPool-1-", the JIT
"C2 CompilerThre", G1's workers "GC Thread"). A thread that started after BEFORE counts with all its time; what
the processes used in threads that ended between the snapshots is "(threads gone)".
"""
import collections
import os
import re
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def ticks(stat_path):
    """utime + stime of a /proc stat file, and the name between its parentheses (which may hold spaces)."""
    with open(stat_path) as f:
        text = f.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, int(fields[11]) + int(fields[12])


def snapshot(pids):
    for pid in pids:
        try:
            _, total = ticks(f"/proc/{pid}/stat")
        except OSError:
            continue  # ended: counts as nothing in either snapshot
        print(f"{pid} process {total} -")
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                name, used = ticks(f"/proc/{pid}/task/{tid}/stat")
            except OSError:
                continue
            print(f"{pid} {tid} {used} {name}")


def read(path):
    processes, threads = {}, {}
    with open(path) as f:
        for line in f:
            pid, tid, used, name = line.rstrip("\n").split(" ", 3)
            if tid == "process":
                processes[pid] = int(used)
            else:
                threads[(pid, tid)] = (name, int(used))
    return processes, threads


def group(name):
    return re.sub(r"[-#_ ]*\d+$", "", name) or name


def report(before_path, after_path, units, label):
    processes_before, threads_before = read(before_path)
    processes_after, threads_after = read(after_path)
    total = sum(processes_after[p] - processes_before.get(p, processes_after[p]) for p in processes_after)
    groups = collections.Counter()
    for key, (name, used) in threads_after.items():
        # a thread absent from BEFORE started after it (thread ids are not reused that fast): all its time is new
        groups[group(name)] += used - threads_before.get(key, (name, 0))[1]
    groups["(threads gone)"] += total - sum(groups.values())
    per_unit = 1e6 / TICKS / units
    top = ",".join(f"{name.replace(' ', '_')}:{used * per_unit:.0f}"
                   for name, used in groups.most_common() if used > 0)
    print(f"{label}cpu_us={total * per_unit:.1f} {label}top={top}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2:])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) == 6 else "")
    else:
        sys.exit(__doc__)
