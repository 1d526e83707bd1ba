package hl7lake.hl7;

/**
 * Where in a message a problem is, as HL7's ERL data type (ERR-2) puts it: segment id, segment
 * sequence, field, repetition, component, subcomponent. Numbers are 1-based; 0 means "not known".
 *
 * <p>Field numbers follow the standard, so MSH-1 is the field separator and MSH-9 the message type
 * (HAPI's parser exceptions count MSH fields one off; locations built here never come from there).
 */
public record ErrorLocation(String segment, int segmentSequence, int field, int repetition,
                            int component, int subcomponent) {

    public static ErrorLocation segment(String segment, int sequence) {
        return new ErrorLocation(segment, sequence, 0, 0, 0, 0);
    }

    public static ErrorLocation field(String segment, int sequence, int field) {
        return new ErrorLocation(segment, sequence, field, 0, 0, 0);
    }

    /** The whole message, for problems that are not in one segment (charset, framing). */
    public static ErrorLocation message() {
        return new ErrorLocation("", 0, 0, 0, 0, 0);
    }

    /**
     * Human form: {@code MSH-9}, {@code PID-3[2].4.1}, {@code OBX(3)-5}, {@code segment 3} (a segment whose id could not be read); the sequence is shown
     * only past the first occurrence, the repetition only past the first.
     */
    @Override
    public String toString() {
        if (segment.isEmpty()) {
            return segmentSequence > 0 ? "segment " + segmentSequence : "message";
        }
        StringBuilder text = new StringBuilder(segment);
        if (segmentSequence > 1) {
            text.append('(').append(segmentSequence).append(')');
        }
        if (field > 0) {
            text.append('-').append(field);
            if (repetition > 1) {
                text.append('[').append(repetition).append(']');
            }
            if (component > 0) {
                text.append('.').append(component);
                if (subcomponent > 0) {
                    text.append('.').append(subcomponent);
                }
            }
        }
        return text.toString();
    }
}
