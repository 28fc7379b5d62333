package dev.tally.redis;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's key-to-slot function (CRC16-XMODEM of the key's hash tag, or of the whole key, modulo 16384), and
 * for each slot a short hash tag that lands in it: a script declared with a key of that tag is sent by the cluster
 * client to the master serving the slot, which is how {@link KeySpace} runs {@code SCAN} on one chosen master.
 */
final class HashSlots {

    static final int COUNT = 16384;

    private final String[] tags = new String[COUNT];

    HashSlots() {
        int found = 0;
        // Short base-36 strings cover all 16384 slots after about 160,000 tries: done once, in milliseconds.
        for (int n = 0; found < COUNT; n++) {
            String tag = Integer.toString(n, 36);
            int slot = slot(tag);
            if (tags[slot] == null) {
                tags[slot] = tag;
                found++;
            }
        }
    }

    /** A hash tag (without braces) whose keys are in {@code slot}. */
    String tagOf(int slot) {
        return tags[slot];
    }

    /** The slot of a key, as Redis computes it (the hash tag counts when it is non-empty). */
    static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        return crc16(key.getBytes(StandardCharsets.UTF_8)) & (COUNT - 1);
    }

    private static int crc16(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return crc & 0xffff;
    }
}
