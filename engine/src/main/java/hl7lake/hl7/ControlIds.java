package hl7lake.hl7;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Fresh MSH-10 values for the ACKs we send: 20 characters (the MSH-10 length limit up to v2.5),
 * time-ordered, base 36: 9 characters of milliseconds then 11 random ones.
 */
public final class ControlIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RANDOM_BOUND = 131_621_703_842_267_136L; // 36^11

    private ControlIds() {
    }

    public static String next() {
        String time = Long.toString(System.currentTimeMillis(), 36);
        String random = Long.toString(Math.floorMod(RANDOM.nextLong(), RANDOM_BOUND), 36);
        return (pad(time, 9) + pad(random, 11)).toUpperCase(Locale.ROOT);
    }

    private static String pad(String value, int width) {
        return "0".repeat(Math.max(0, width - value.length())) + value;
    }
}
