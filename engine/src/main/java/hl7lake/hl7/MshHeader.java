package hl7lake.hl7;

import ca.uhn.hl7v2.ErrorCode;

import java.util.Set;
import java.nio.charset.StandardCharsets;

/**
 * The MSH fields hl7lake acts on, read straight from the ER7 text: delimiters, the routing fields
 * the ACK swaps, type and version, ack modes, charset. Values are kept as they appear in the
 * message (escape sequences intact), so an ACK can copy them back byte for byte.
 *
 * <p>It is read before and independently of HAPI, so that a message HAPI cannot parse still gets a
 * proper ACK and a precise rejection.
 */
public record MshHeader(char fieldSeparator, String encodingCharacters,
                        String sendingApplication, String sendingFacility,
                        String receivingApplication, String receivingFacility,
                        String messageTime, String messageType, String triggerEvent, String messageStructure,
                        String controlId, String processingId, String version,
                        String acceptAckType, String applicationAckType, String characterSet) {

    /** HL7 v2 versions this engine accepts (2.1 to 2.8.x). */
    private static final Set<String> VERSIONS = Set.of(
            "2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2");
    /** HL7 table 0103. */
    private static final Set<String> PROCESSING_IDS = Set.of("P", "D", "T");

    /** What an ACK falls back to when the inbound MSH cannot be read at all. */
    public static final MshHeader UNREADABLE = new MshHeader('|', "^~\\&", "", "", "", "", "", "", "", "", "",
            "P", "2.5", "", "", "");

    public char componentSeparator() {
        return encodingCharacters.charAt(0);
    }

    /** Enhanced acknowledgement mode: MSH-15 or MSH-16 is valued. */
    public boolean enhancedMode() {
        return !acceptAckType.isEmpty() || !applicationAckType.isEmpty();
    }

    /**
     * Reads and checks the MSH of one message: the structural rules of docs/architecture.md §6 that make
     * a message impossible to trust. Anything that fails becomes a rejection naming the MSH field
     * and the rule.
     */
    public static MshHeader read(CharSequence text) throws Hl7Rejection {
        MshHeader header = lenient(text);
        header.check();
        return header;
    }

    /** {@link #lenient(CharSequence)} on the first segment of undecoded bytes, read as Latin-1 (a UTF-8 BOM skipped). */
    public static MshHeader lenient(byte[] bytes) throws Hl7Rejection {
        return lenient(firstSegment(bytes));
    }

    /**
     * What an ACK to these bytes is addressed with: {@link #lenient(byte[])}, or, when that fails, the
     * defaults of {@link #UNREADABLE} with MSH-10 still read, whenever the segment starts with MSH and a
     * usable field separator, so that MSA-2 names the message even when its MSH-2 is broken.
     */
    public static MshHeader forReply(byte[] bytes) {
        String msh = firstSegment(bytes);
        try {
            return lenient(msh);
        } catch (Hl7Rejection unreadable) {
            return salvaged(msh);
        }
    }

    /** {@link #UNREADABLE} with MSH-10 as far as the field separator alone can read it. */
    public static MshHeader salvaged(CharSequence text) {
        int start = text.length() > 0 && text.charAt(0) == '\uFEFF' ? 1 : 0;
        if (text.length() < start + 4 || !"MSH".contentEquals(text.subSequence(start, start + 3))) {
            return UNREADABLE;
        }
        char fieldSep = text.charAt(start + 3);
        if (Character.isLetterOrDigit(fieldSep) || Character.isWhitespace(fieldSep)) {
            return UNREADABLE;
        }
        int end = start;
        while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
            end++;
        }
        String controlId = field(split(text.subSequence(start, end).toString(), fieldSep), 10);
        if (controlId.isEmpty()) {
            return UNREADABLE;
        }
        // MSA-2 is written with the ACK's (default) delimiters: escape the ones the raw value holds
        StringBuilder escaped = new StringBuilder(controlId.length());
        for (char c : controlId.toCharArray()) {
            switch (c) {
                case '|' -> escaped.append("\\F\\");
                case '^' -> escaped.append("\\S\\");
                case '~' -> escaped.append("\\R\\");
                case '&' -> escaped.append("\\T\\");
                case '\\' -> escaped.append("\\E\\");
                default -> escaped.append(c);
            }
        }
        return new MshHeader('|', "^~\\&", "", "", "", "", "", "", "", "", escaped.toString(), "P", "2.5", "", "", "");
    }

    /** The first segment of undecoded bytes as Latin-1 text, after a UTF-8 byte order mark if there is one. */
    private static String firstSegment(byte[] bytes) {
        int start = Bom.length(bytes);
        int end = start;
        while (end < bytes.length && bytes[end] != '\r' && bytes[end] != '\n') {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads whatever of the MSH can be read, checking only what is needed to split it (MSH at the
     * start, usable delimiters): enough to address an ACK to a message that is then rejected.
     */
    public static MshHeader lenient(CharSequence text) throws Hl7Rejection {
        int start = text.length() > 0 && text.charAt(0) == '\uFEFF' ? 1 : 0;
        if (text.length() < start + 4 || !"MSH".contentEquals(text.subSequence(start, start + 3))) {
            throw new Hl7Rejection(ErrorCode.SEGMENT_SEQUENCE_ERROR, ErrorLocation.segment("MSH", 1),
                    "the message does not start with an MSH segment");
        }
        char fieldSep = text.charAt(start + 3);
        if (Character.isLetterOrDigit(fieldSep) || Character.isWhitespace(fieldSep)) {
            throw new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, 1),
                    "MSH-1 field separator must be a printable non-alphanumeric character");
        }
        int end = start;
        while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
            end++;
        }
        String[] fields = split(text.subSequence(start, end).toString(), fieldSep);
        String encoding = fields.length > 1 ? fields[1] : "";
        checkEncodingCharacters(encoding, fieldSep);
        String[] typeParts = split(field(fields, 9), encoding.charAt(0));
        return new MshHeader(fieldSep, encoding, field(fields, 3), field(fields, 4), field(fields, 5),
                field(fields, 6), field(fields, 7), typeParts[0], part(typeParts, 1), part(typeParts, 2),
                field(fields, 10), field(fields, 11), field(fields, 12), field(fields, 15), field(fields, 16),
                split(field(fields, 18), encoding.charAt(1))[0]);
    }

    /** Whether hl7lake accepts this MSH-12 version id. */
    public static boolean supportsVersion(String versionId) {
        return VERSIONS.contains(versionId);
    }

    /** MSH-12's version id (its first component). */
    public String versionId() {
        return split(version, componentSeparator())[0];
    }

    /** Checks the rules that {@link #lenient} does not. */
    public void check() throws Hl7Rejection {
        if (encodingCharacters.length() < 4) {
            // HL7 v2 has four encoding characters (v2.7 adds a fifth, the truncation character)
            throw new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, 2),
                    "MSH-2 must hold the 4 encoding characters (component, repetition, escape, subcomponent), "
                            + "optionally followed by the truncation character");
        }
        require(messageType, 9, "MSH-9 message type");
        require(controlId, 10, "MSH-10 message control id");
        require(version, 12, "MSH-12 version id");
        if (!VERSIONS.contains(versionId())) {
            throw new Hl7Rejection(ErrorCode.UNSUPPORTED_VERSION_ID, new ErrorLocation("MSH", 1, 12, 0, 1, 0),
                    "MSH-12 version id is not an HL7 v2 version from 2.1 to 2.8.2");
        }
        String processing = split(processingId, componentSeparator())[0];
        if (!processing.isEmpty() && !PROCESSING_IDS.contains(processing)) {
            throw new Hl7Rejection(ErrorCode.UNSUPPORTED_PROCESSING_ID, new ErrorLocation("MSH", 1, 11, 0, 1, 0),
                    "MSH-11 processing id is not one of P, D, T (HL7 table 0103)");
        }
    }

    private static void checkEncodingCharacters(String encoding, char fieldSep) throws Hl7Rejection {
        boolean valid = encoding.length() >= 2 && encoding.length() <= 5;
        for (int i = 0; valid && i < encoding.length(); i++) {
            char c = encoding.charAt(i);
            valid = !Character.isLetterOrDigit(c) && !Character.isWhitespace(c) && c != fieldSep
                    && encoding.indexOf(c) == i;
        }
        if (!valid) {
            throw new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, 2),
                    "MSH-2 encoding characters must be 2 to 5 distinct non-alphanumeric characters");
        }
    }

    private static void require(String value, int field, String what) throws Hl7Rejection {
        if (value.isEmpty()) {
            throw new Hl7Rejection(ErrorCode.REQUIRED_FIELD_MISSING, ErrorLocation.field("MSH", 1, field),
                    what + " is required");
        }
    }

    /** MSH-n sits at index n-1 once the segment is split, because MSH-1 is the separator itself. */
    private static String field(String[] fields, int number) {
        return number - 1 < fields.length ? fields[number - 1] : "";
    }

    private static String part(String[] parts, int index) {
        return index < parts.length ? parts[index] : "";
    }

    /** Splits on one character; String.split would compile a regex on every call for most separators. */
    static String[] split(String value, char separator) {
        int count = 1;
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == separator) {
                count++;
            }
        }
        String[] parts = new String[count];
        int start = 0;
        for (int i = 0, part = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == separator) {
                parts[part++] = value.substring(start, i);
                start = i + 1;
            }
        }
        return parts;
    }
}
