package hl7lake.catalog;

import ca.uhn.hl7v2.ErrorCode;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What the catalog can hold, and how a message's values fit DynamoDB's limits (a sort key holds 1,024
 * bytes, a partition key 2,048, an item 400 KB, a transaction 100 items):
 * <ul>
 *   <li>a key built from message text (a patient identifier, sender + control id) longer than
 *       {@value #MAX_KEY_BYTES} bytes becomes {@code sha256#<hex>} of its UTF-8 bytes, a stable key;
 *       the whole value stays in a non-key attribute;</li>
 *   <li>a value the catalog copies from a message (MSH-3 to MSH-7, MSH-10, a patient identifier)
 *       is kept whole up to {@value #MAX_VALUE_BYTES} bytes, which keeps every item far below
 *       400 KB; a longer one, or more patient identifiers than the engine links per message, makes
 *       the message one the catalog cannot take: rejected (AE, code 102) with a reason naming the
 *       limit, never retried as if the store were down.</li>
 * </ul>
 * See docs/decisions.md, "Failures the store cannot fix".
 */
public final class CatalogLimits {

    /** The longest key value kept as is: DynamoDB's sort key limit (the partition key limit is 2,048). */
    public static final int MAX_KEY_BYTES = 1024;
    /** The longest value from a message the catalog keeps whole in one attribute. */
    public static final int MAX_VALUE_BYTES = 32 * 1024;
    /** The prefix of a key made from a hash; message text never looks like it (see {@link #key}). */
    public static final String HASHED = "sha256#";

    private final int maxPatientIdentifiers;

    public CatalogLimits(int maxPatientIdentifiers) {
        this.maxPatientIdentifiers = maxPatientIdentifiers;
    }

    public int maxPatientIdentifiers() {
        return maxPatientIdentifiers;
    }

    /**
     * The key for {@code value}: itself, or {@code sha256#<64 hex>} when longer than
     * {@value #MAX_KEY_BYTES} UTF-8 bytes. No value from a message has this form: patient
     * identifiers are {@code <authority>#<type>#<id>} and sender controls {@code <app>|<facility>|<id>},
     * both with two separators, where the hashed form has one and no {@code |}.
     */
    public static String key(String value) {
        if (value == null || value.length() * 3 <= MAX_KEY_BYTES || utf8Length(value) <= MAX_KEY_BYTES) {
            return value;
        }
        return HASHED + sha256(value);
    }

    /** True when {@link #key} hashes {@code value}. */
    public static boolean hashed(String value) {
        return !value.equals(key(value));
    }

    /** {@code value}, or its hashed key when over {@value #MAX_VALUE_BYTES} bytes (error records, which take any message). */
    public static String value(String value) {
        if (value == null || value.length() * 3 <= MAX_VALUE_BYTES || utf8Length(value) <= MAX_VALUE_BYTES) {
            return value;
        }
        return HASHED + sha256(value);
    }

    /** Why the catalog cannot take this accepted message, or empty when it can. */
    public Optional<Hl7Rejection> check(MessageMetadata m) {
        if (m.patientIdentifiers().size() > maxPatientIdentifiers) {
            return Optional.of(new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("PID", 1, 3),
                    "PID-2/PID-3 hold " + m.patientIdentifiers().size() + " distinct patient identifiers, more than the "
                            + maxPatientIdentifiers + " the catalog links per message"));
        }
        for (String id : m.patientIdentifiers()) {
            if (tooLong(id)) {
                return Optional.of(new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("PID", 1, 3),
                        "a patient identifier in PID-2/PID-3 is longer than the " + MAX_VALUE_BYTES
                                + " bytes the catalog keeps"));
            }
        }
        String[] values = {m.sendingApplication(), m.sendingFacility(), m.receivingApplication(), m.receivingFacility(),
                m.messageTime(), null, null, m.controlId()};
        for (int i = 0; i < values.length; i++) {
            if (tooLong(values[i])) {
                int field = i + 3;
                return Optional.of(new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, field),
                        "MSH-" + field + " is longer than the " + MAX_VALUE_BYTES + " bytes the catalog keeps"));
            }
        }
        return Optional.empty();
    }

    private static boolean tooLong(String value) {
        return value != null && value.length() * 3 > MAX_VALUE_BYTES && utf8Length(value) > MAX_VALUE_BYTES;
    }

    /** UTF-8 length without encoding: a key check runs for every identifier of every message. */
    static int utf8Length(String value) {
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
