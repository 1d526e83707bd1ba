package hl7lake.hl7;

import java.util.Locale;

/** How data type rules (dates, numbers, ids, lengths) are treated; structural rules always reject. */
public enum ValidationProfile {
    /** Data type violations reject the message (AE, code 102). */
    STRICT,
    /** Data type violations are kept as received and reported as warnings. The default. */
    STANDARD,
    /** Data type rules are not checked at all. */
    LENIENT;

    public static ValidationProfile of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
