"""The class and JFR tables of bench/startup.sh.

    startup_report.py FLOOR_CLASSES TALLY_CLASSES START_JSON

FLOOR_CLASSES, TALLY_CLASSES: -Xlog:class+load output of one start each; START_JSON: `jfr print --json` of the
jdk.ExecutionSample events of one Tally start. Prints two markdown tables: classes loaded by group (the extension
or library a class belongs to, by package), and the main thread's samples by Quarkus start-up step (the generated
io.quarkus.runner.recorded class whose deploy method was running), with what ran outside any step.
"""
import collections
import json
import re
import sys

# Packages by the extension (or part of the stack) that brings them; the first match wins, in this order.
GROUPS = [
    ("Tally (dev.tally)", ("dev.tally.",)),
    ("Micrometer (quarkus-micrometer-registry-prometheus)", ("io.micrometer.", "io.quarkus.micrometer.")),
    ("OpenAPI (quarkus-smallrye-openapi: SmallRye OpenAPI, SnakeYAML, Jandex)",
     ("io.smallrye.openapi.", "io.quarkus.smallrye.openapi.", "org.yaml.snakeyaml.", "org.jboss.jandex.",
      "com.fasterxml.jackson.dataformat.yaml.")),
    ("Hibernate Validator (quarkus-hibernate-validator)",
     ("org.hibernate.validator.", "io.quarkus.hibernate.validator.", "jakarta.validation.")),
    ("Fault tolerance (quarkus-smallrye-fault-tolerance)",
     ("io.smallrye.faulttolerance.", "io.quarkus.smallrye.faulttolerance.",
      "org.eclipse.microprofile.faulttolerance.")),
    ("WebSockets (quarkus-websockets-next)", ("io.quarkus.websockets.",)),
    ("Health (quarkus-smallrye-health)", ("io.smallrye.health.", "io.quarkus.smallrye.health.")),
    ("the JDK", ("java.", "javax.", "jdk.", "sun.", "com.sun.")),
    ("Vert.x and Netty", ("io.vertx.", "io.netty.")),
    ("Jackson", ("com.fasterxml.jackson.",)),
    ("Mutiny", ("io.smallrye.mutiny.",)),
    ("SmallRye Config", ("io.smallrye.config.",)),
    ("Quarkus core, ArC, REST, Redis client, the rest", ("",)),
]
LOADED = re.compile(r"\] (\S+) source")


def classes_by_group(path):
    counts = collections.Counter()
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            loaded = LOADED.search(line)
            if loaded:
                name = loaded.group(1)
                counts[next(group for group, prefixes in GROUPS if name.startswith(prefixes))] += 1
    return counts


def frame_name(frame):
    return frame["method"]["type"]["name"].replace("/", ".") + "." + frame["method"]["name"]


def main_thread_steps(path):
    with open(path, encoding="utf-8") as recording:
        events = json.load(recording)["recording"]["events"]
    steps = collections.Counter()
    for event in events:
        thread = event["values"]["sampledThread"]
        if event["type"] != "jdk.ExecutionSample" or thread.get("javaName") != "main":
            continue
        frames = [frame_name(f) for f in (event["values"]["stackTrace"] or {"frames": []})["frames"]]
        # The outermost generated step: its class is named after the processor and build step it records.
        step = next((f for f in reversed(frames) if f.startswith("io.quarkus.runner.recorded.")), None)
        if step:
            steps[re.sub(r"[0-9]+$", "", step.rsplit(".", 1)[0].removeprefix("io.quarkus.runner.recorded."))] += 1
        elif any(f.startswith("io.quarkus.bootstrap.") for f in frames) and not any(
                f.startswith("io.quarkus.runtime.Application") for f in frames):
            steps["(before the steps: the bootstrap reads the application and its class path)"] += 1
        else:
            steps["(outside any step: config, CDI, start-up observers)"] += 1
    return steps


def main(floor_classes, tally_classes, start_json):
    floor, tally = classes_by_group(floor_classes), classes_by_group(tally_classes)
    print("Classes loaded by one start without a cache (-Xlog:class+load), by what brings them:")
    print()
    print("| group | floor | Tally | Tally − floor |")
    print("|---|---:|---:|---:|")
    for group, _ in GROUPS:
        if floor[group] or tally[group]:
            print(f"| {group} | {floor[group]} | {tally[group]} | {tally[group] - floor[group]:+d} |")
    print(f"| **all** | **{sum(floor.values())}** | **{sum(tally.values())}** | "
          f"**{sum(tally.values()) - sum(floor.values()):+d}** |")
    print()
    steps = main_thread_steps(start_json)
    total = sum(steps.values())
    print(f"Tally's main thread during one start without a cache (JFR execution samples, {total} in all), by"
          " Quarkus start-up step (the recorded step running; the largest 12):")
    print()
    print("| step | samples | share |")
    print("|---|---:|---:|")
    for step, count in steps.most_common(12):
        print(f"| {step} | {count} | {100 * count / max(total, 1):.0f} % |")


if __name__ == "__main__":
    main(*sys.argv[1:4])
