package dev.tally.ops;

import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.List;

/** Turns the JMX view of a platform thread into a {@link ThreadSnapshot}, keeping every frame (jstack does). */
final class ThreadInfos {

    private ThreadInfos() {
    }

    static ThreadSnapshot snapshot(ThreadInfo info, String container) {
        String waitKind = null;
        if (info.getLockInfo() != null) {
            waitKind = switch (info.getThreadState()) {
                case BLOCKED -> "waiting to lock";
                case WAITING, TIMED_WAITING -> info.getLockInfo().getClassName().startsWith("java.util.concurrent")
                        || isParked(info) ? "parked on" : "waiting on";
                default -> null;
            };
        }
        String owner = info.getLockOwnerName() == null ? null
                : "\"" + info.getLockOwnerName() + "\" #" + info.getLockOwnerId();
        List<ThreadSnapshot.HeldMonitor> monitors = Arrays.stream(info.getLockedMonitors())
                .map(m -> new ThreadSnapshot.HeldMonitor(m.getLockedStackDepth(), describe(m))).toList();
        List<String> synchronizers = Arrays.stream(info.getLockedSynchronizers()).map(ThreadInfos::describe).toList();
        List<String> stack = Arrays.stream(info.getStackTrace()).map(StackTraceElement::toString).toList();
        return new ThreadSnapshot(info.getThreadId(), info.getThreadName(), false, info.getThreadState().name(),
                container, null, waitKind, info.getLockInfo() == null ? null : describe(info.getLockInfo()), owner,
                stack, monitors, synchronizers, false);
    }

    private static boolean isParked(ThreadInfo info) {
        StackTraceElement[] stack = info.getStackTrace();
        return stack.length > 0 && stack[0].getMethodName().equals("park");
    }

    private static String describe(LockInfo lock) {
        return lock.getClassName() + "@" + Integer.toHexString(lock.getIdentityHashCode());
    }

    static String describe(MonitorInfo monitor) {
        return describe((LockInfo) monitor);
    }
}
