package hl7lake.hl7;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The sha256 of a message's content, for duplicate detection across doors: the same message is the
 * same content whether it came over MLLP (its frame), HTTP (CRLF, a final CR or none) or in a drop
 * file (cut by {@link Er7StreamSplitter}). Segments are hashed as the splitter joins them: CR, LF or
 * CRLF between segments count as one CR, blank lines and trailing terminators are ignored, and a
 * leading UTF-8 byte order mark is not content. The exact bytes keep their own sha256 (the raw object's).
 */
public final class ContentHash {

    private static final byte[] CR = {'\r'};

    private ContentHash() {
    }

    public static String sha256(byte[] bytes) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        int position = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        boolean first = true;
        while (position < bytes.length) {
            int end = position;
            while (end < bytes.length && bytes[end] != '\r' && bytes[end] != '\n') {
                end++;
            }
            if (!blank(bytes, position, end)) {
                if (!first) {
                    digest.update(CR);
                }
                digest.update(bytes, position, end - position);
                first = false;
            }
            position = end + 1;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** As the splitter: spaces, tabs and stray MLLP block characters alone make no segment. */
    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != 0x0B && b != 0x1C) {
                return false;
            }
        }
        return true;
    }
}
