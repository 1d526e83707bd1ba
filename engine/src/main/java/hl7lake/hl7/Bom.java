package hl7lake.hl7;

import java.util.Arrays;

/**
 * The UTF-8 byte order mark ({@code EF BB BF}) some senders put before a message: it is not content.
 * The raw zone keeps the bytes as received; parsing starts after it.
 */
public final class Bom {

    private Bom() {
    }

    /** 3 when {@code bytes} start with a UTF-8 byte order mark, else 0. */
    public static int length(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
    }

    /** {@code bytes} without a leading UTF-8 byte order mark (the same array when there is none). */
    public static byte[] strip(byte[] bytes) {
        int skip = length(bytes);
        return skip == 0 ? bytes : Arrays.copyOfRange(bytes, skip, bytes.length);
    }
}
