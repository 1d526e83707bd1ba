package hl7lake.json;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * HL7 date/times ({@code YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]}) as ISO 8601 UTC with milliseconds,
 * one format for every precision, so that a SQL engine infers one type for the column. A time sent
 * without an offset is taken as UTC (the value as sent stays in the document).
 */
public final class Hl7Time {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private Hl7Time() {
    }

    /** {@code 2026-11-23T10:15:30.123Z}, always with milliseconds. */
    public static String iso(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /** The HL7 value as ISO 8601 UTC, or null when it is not a date/time HL7 allows. */
    public static String isoUtc(String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim();
        int zoneAt = Math.max(text.indexOf('+'), text.indexOf('-'));
        String dateTime = zoneAt >= 0 ? text.substring(0, zoneAt) : text;
        String fraction = "";
        int dot = dateTime.indexOf('.');
        if (dot >= 0) {
            fraction = dateTime.substring(dot + 1);
            dateTime = dateTime.substring(0, dot);
            if (dateTime.length() != 14 || fraction.isEmpty() || fraction.length() > 4 || !digits(fraction)) {
                return null;
            }
        }
        int length = dateTime.length();
        if (length < 4 || length > 14 || length % 2 != 0 || !digits(dateTime)) {
            return null;
        }
        try {
            LocalDateTime local = LocalDateTime.of(number(dateTime, 0, 4), length >= 6 ? number(dateTime, 4, 6) : 1,
                    length >= 8 ? number(dateTime, 6, 8) : 1, length >= 10 ? number(dateTime, 8, 10) : 0,
                    length >= 12 ? number(dateTime, 10, 12) : 0, length >= 14 ? number(dateTime, 12, 14) : 0,
                    fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9)));
            ZoneOffset offset = ZoneOffset.UTC;
            if (zoneAt >= 0) {
                String zone = text.substring(zoneAt + 1);
                if (zone.length() != 4 || !digits(zone)) {
                    return null;
                }
                int sign = text.charAt(zoneAt) == '-' ? -1 : 1;
                offset = ZoneOffset.ofHoursMinutes(sign * number(zone, 0, 2), sign * number(zone, 2, 4));
            }
            return ISO_MILLIS.format(local.toInstant(offset));
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static boolean digits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(String text, int from, int to) {
        return Integer.parseInt(text, from, to, 10);
    }
}
