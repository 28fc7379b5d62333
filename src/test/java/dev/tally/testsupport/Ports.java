package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for real processes started by tests. A port is handed out once per test JVM: the kernel may
 * return a just-closed ephemeral port again, and two ports picked before either process binds would collide
 * (seen: Nginx's HTTPS port equal to a replica's port).
 */
public final class Ports {

    /** Redis' fixed distance from a cluster node's client port to its cluster bus port. */
    public static final int CLUSTER_BUS_OFFSET = 10_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /** The first of {@code count} consecutive free ports (for replicas numbered from a base port). */
    public static int freeRange(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = free();
            boolean all = true;
            for (int port = base + 1; port < base + count && all; port++) {
                all = isFree(port) && HANDED_OUT.add(port); // a failed attempt only wastes a few port numbers
            }
            if (all && base + count <= 65535) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }

    /**
     * A free port for a Redis Cluster node, whose cluster bus (the port + 10000) is free too. Both are picked below
     * Linux' ephemeral range (32768 and up): a node on a port above 55535 cannot open its bus at all, and a bus port
     * in the ephemeral range may be taken by any outgoing connection between the check and the bind.
     */
    public static int freeWithClusterBus() {
        var random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(12_000, 22_000);
            if (isFree(port) && isFree(port + CLUSTER_BUS_OFFSET) && HANDED_OUT.add(port)) {
                if (HANDED_OUT.add(port + CLUSTER_BUS_OFFSET)) {
                    return port;
                }
                HANDED_OUT.remove(port);
            }
        }
        throw new IllegalStateException("no free port pair for a cluster node and its bus");
    }

    /**
     * The first of {@code count} consecutive ports for cluster nodes, each with its bus (port + 10000) free, picked
     * as {@link #freeWithClusterBus()} picks one: for a launcher that numbers its nodes from a base port.
     */
    public static int freeRangeWithClusterBus(int count) {
        var random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = random.nextInt(12_000, 22_000 - count);
            boolean all = true;
            for (int port = base; port < base + count && all; port++) {
                all = isFree(port) && isFree(port + CLUSTER_BUS_OFFSET) && HANDED_OUT.add(port)
                        && HANDED_OUT.add(port + CLUSTER_BUS_OFFSET); // a failed attempt only wastes a few numbers
            }
            if (all) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free port pairs for cluster nodes and buses");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int free() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = anyFree();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port that was not handed out already");
    }

    private static int anyFree() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
