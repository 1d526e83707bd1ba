package hl7lake.restage;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The days a restage covers, {@code from} to {@code to} inclusive, as UTC days of arrival: the day
 * a message's id carries (a UUIDv7 starts with its millisecond time), which is also the day of its
 * raw and staging keys. Ids are compared as strings: their first 12 hex digits are the time, in
 * lower case, so every id of the range sorts between {@link #lowest()} and {@link #above()}.
 */
public record DayRange(LocalDate from, LocalDate to) {

    public DayRange {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to " + to + " is before --from " + from);
        }
    }

    /** No id of the range sorts before this. */
    public String lowest() {
        return prefix(from.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli());
    }

    /** Every id of the range sorts before this (the first id of the day after {@code to}). */
    public String above() {
        return prefix(to.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli());
    }

    /** {@code xxxxxxxx-xxxx}: the part of a UUIDv7's text that holds its 48-bit millisecond time. */
    private static String prefix(long millis) {
        return String.format("%08x-%04x", millis >>> 16, millis & 0xFFFF);
    }
}
