package dev.tally.ops;

import java.util.List;

/** Renders threads the way {@code jstack} does, so that operators read it without learning a new format. */
final class ThreadDumpText {

    private ThreadDumpText() {
    }

    static String render(ThreadDump.Dump dump, String instance) {
        StringBuilder out = new StringBuilder(64 * 1024);
        out.append("Tally thread dump of ").append(instance).append(" at ").append(dump.time())
                .append(" (JDK ").append(dump.runtime()).append("): ").append(dump.threads().size())
                .append(" threads, ").append(dump.virtualCount()).append(" virtual\n\n");
        dump.threads().forEach(thread -> render(thread, out));
        return out.toString();
    }

    static String render(List<ThreadSnapshot> threads) {
        StringBuilder out = new StringBuilder();
        threads.forEach(thread -> render(thread, out));
        return out.toString();
    }

    static void render(ThreadSnapshot thread, StringBuilder out) {
        out.append('"').append(thread.name()).append("\" #").append(thread.id());
        if (thread.virtual()) {
            out.append(" virtual");
        }
        out.append(' ').append(thread.state());
        if (thread.deadlocked()) {
            out.append(" (deadlocked)");
        }
        if (thread.container() != null && !thread.container().equals("<root>")) {
            out.append(" in ").append(thread.container());
        }
        if (thread.carrier() != null) {
            out.append(" mounted on carrier ").append(thread.carrier());
        }
        out.append('\n');
        if (thread.waitKind() != null) {
            out.append("   ").append(thread.waitKind()).append(' ').append(thread.waitingOn());
            if (thread.lockOwner() != null) {
                out.append(" held by ").append(thread.lockOwner());
            }
            out.append('\n');
        }
        for (int depth = 0; depth < thread.stack().size(); depth++) {
            out.append("\tat ").append(thread.stack().get(depth)).append('\n');
            for (ThreadSnapshot.HeldMonitor monitor : thread.monitors()) {
                if (monitor.depth() == depth) {
                    out.append("\t- locked ").append(monitor.lock()).append('\n');
                }
            }
        }
        if (!thread.synchronizers().isEmpty()) {
            out.append("\n   Locked ownable synchronizers:\n");
            thread.synchronizers().forEach(lock -> out.append("\t- ").append(lock).append('\n'));
        }
        out.append('\n');
    }
}
