package dev.tally.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for real processes started by tests. */
public final class Ports {

    private Ports() {
    }

    /** The first of {@code count} consecutive free ports (for replicas numbered from a base port). */
    public static int freeRange(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = free();
            boolean all = true;
            for (int port = base + 1; port < base + count && all; port++) {
                all = isFree(port);
            }
            if (all && base + count <= 65535) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
