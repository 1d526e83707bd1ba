package hl7lake.hl7;

import ca.uhn.hl7v2.ErrorCode;

/**
 * Segment-level checks and normalisation of one message's text: CR, LF or CRLF between segments
 * (files and HTTP clients use all three) become the CR that HL7 and HAPI expect; blank lines are
 * dropped; every segment must start with a valid segment id.
 */
public final class Er7Segments {

    private Er7Segments() {
    }

    /** A segment id: an upper-case letter then two upper-case letters or digits. */
    public static boolean isSegmentId(CharSequence id) {
        if (id.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            char c = id.charAt(i);
            boolean upper = c >= 'A' && c <= 'Z';
            if (!(upper || (i > 0 && c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** The message with CR between segments, or a rejection at the first segment without a valid id. */
    public static String normalize(String text, char fieldSeparator) throws Hl7Rejection {
        if (isClean(text, fieldSeparator)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 1);
        int position = text.startsWith("\uFEFF") ? 1 : 0;
        int segmentNumber = 0;
        while (position < text.length()) {
            int end = position;
            while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
                end++;
            }
            if (end > position) {
                segmentNumber++;
                checkSegment(text, position, end, fieldSeparator, segmentNumber);
                if (out.length() > 0) {
                    out.append('\r');
                }
                out.append(text, position, end);
            }
            position = end + 1;
        }
        return out.toString();
    }

    /**
     * Already CR-separated with no blank segment and every segment id valid (a single trailing CR is
     * fine for HAPI): then the text is used as it is, without a copy.
     */
    private static boolean isClean(String text, char fieldSeparator) throws Hl7Rejection {
        if (text.isEmpty() || text.charAt(0) == '\uFEFF') {
            return false;
        }
        int start = 0;
        int number = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && i == start)) {
                return false;
            }
            if (c == '\r') {
                checkSegment(text, start, i, fieldSeparator, ++number);
                start = i + 1;
            }
        }
        if (start < text.length()) {
            checkSegment(text, start, text.length(), fieldSeparator, ++number);
        }
        return true;
    }

    private static void checkSegment(String text, int start, int end, char fieldSeparator, int number)
            throws Hl7Rejection {
        boolean idOk = end - start >= 3 && isSegmentId(text.subSequence(start, start + 3))
                && (end - start == 3 || text.charAt(start + 3) == fieldSeparator);
        if (!idOk) {
            // The location names the segment by its position only: the text there is not a segment id
            // and may be anything, patient data included.
            throw new Hl7Rejection(ErrorCode.SEGMENT_SEQUENCE_ERROR, new ErrorLocation("", number, 0, 0, 0, 0),
                    "segment " + number + " does not start with a segment id (three upper-case letters or digits)"
                            + " followed by the field separator");
        }
    }
}
