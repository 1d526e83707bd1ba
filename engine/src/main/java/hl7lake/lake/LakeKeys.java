package hl7lake.lake;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The lake's key layout (docs/architecture.md §3), one bucket with zones as prefixes. Keys are built only
 * from our ids, dates and the v2.5 structure name, never from text a sender controls, so no key
 * can hold a "^", "/", space or non-ASCII character from a message. Dates come from the message
 * id's own timestamp, so a retry on another day writes the same keys.
 */
public final class LakeKeys {

    private static final Pattern STRUCTURE = Pattern.compile("[A-Z0-9_]{3,16}");

    private LakeKeys() {
    }

    /** {@code raw/hl7v2/<yyyy>/<mm>/<dd>/<message_id>.hl7}: the bytes as received (MLLP, HTTP). */
    public static String raw(String messageId) {
        LocalDate day = day(messageId);
        return String.format("raw/hl7v2/%04d/%02d/%02d/%s.hl7", day.getYear(), day.getMonthValue(),
                day.getDayOfMonth(), messageId);
    }

    /**
     * The partition key of the zones partitioned Hive-style (staging, error): {@code day}, not
     * {@code date}, which is a reserved word in Athena DDL (docs/decisions.md, "The partition key").
     */
    public static final String PARTITION = "day";

    /** {@code staging/hl7v2/<STRUCTURE>/}: the prefix of one structure's table. */
    public static String stagingTable(String structure) {
        if (!STRUCTURE.matcher(structure).matches()) {
            throw new IllegalArgumentException("not a message structure name");
        }
        return "staging/hl7v2/" + structure + "/";
    }

    /** {@code staging/hl7v2/<STRUCTURE>/day=<yyyy-mm-dd>/<message_id>.json}. */
    public static String staging(String structure, String messageId) {
        return stagingTable(structure) + partition(messageId) + messageId + ".json";
    }

    /** {@code error/hl7v2/day=<yyyy-mm-dd>/<error_id>.hl7}: the bytes of a rejected message. */
    public static String error(String errorId) {
        return "error/hl7v2/" + partition(errorId) + errorId + ".hl7";
    }

    /** {@code day=<yyyy-mm-dd>/}: the partition of an id's day. */
    private static String partition(String uuidV7) {
        return PARTITION + "=" + day(uuidV7) + "/";
    }

    /**
     * {@code raw/files/<yyyy>/<mm>/<dd>/<file_id>-<name>}: a drop file once it leaves the inbox.
     * The name keeps only characters that are safe in any key; the file id makes it unique.
     */
    public static String archive(String fileId, String name) {
        LocalDate day = day(fileId);
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return String.format("raw/files/%04d/%02d/%02d/%s-%s", day.getYear(), day.getMonthValue(),
                day.getDayOfMonth(), fileId, safe.length() > 100 ? safe.substring(safe.length() - 100) : safe);
    }

    /** The day (UTC) in a UUIDv7's first 48 bits. */
    static LocalDate day(String uuidV7) {
        long millis = UUID.fromString(uuidV7).getMostSignificantBits() >>> 16;
        return LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
