package hl7lake.json;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * HL7 date/times ({@code YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]}) as ISO 8601 UTC with milliseconds,
 * one format for every precision, so that a SQL engine infers one type for the column. A time sent
 * without an offset is taken as UTC (the value as sent stays in the document).
 */
public final class Hl7Time {

    private Hl7Time() {
    }

    /** {@code 2026-11-23T10:15:30.123Z}, always with milliseconds. */
    public static String iso(Instant instant) {
        return iso(LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC));
    }

    /** By hand: DateTimeFormatter costs more than the rest of meta (two per document). */
    private static String iso(LocalDateTime utc) {
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            return null;
        }
        char[] out = "0000-00-00T00:00:00.000Z".toCharArray();
        digits(out, 0, year, 4);
        digits(out, 5, utc.getMonthValue(), 2);
        digits(out, 8, utc.getDayOfMonth(), 2);
        digits(out, 11, utc.getHour(), 2);
        digits(out, 14, utc.getMinute(), 2);
        digits(out, 17, utc.getSecond(), 2);
        digits(out, 20, utc.getNano() / 1_000_000, 3);
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
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
            return iso(zoneAt < 0 ? local : LocalDateTime.ofInstant(local.toInstant(offset), ZoneOffset.UTC));
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
