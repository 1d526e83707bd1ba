package hl7lake.lake;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Our message ids: UUID version 7 (RFC 9562), time-ordered so that keys and catalog items sort by
 * arrival, and safe in any S3 key or DynamoDB attribute. MSH-10 is the sender's id and is only
 * unique per sender.
 */
public final class MessageIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageIds() {
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
