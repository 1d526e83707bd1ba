package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;

/**
 * An acknowledgement ready to send: its ER7 text (CR between segments), code and own control id;
 * {@code minimal} when it is the fallback built without the inbound message's delimiters.
 */
public record Ack(String er7, AcknowledgmentCode code, String controlId, boolean minimal) {

    public Ack(String er7, AcknowledgmentCode code, String controlId) {
        this(er7, code, controlId, false);
    }

    /** The code, and "minimal" when it is the fallback: what the door logs as sent. */
    public String describe() {
        return minimal ? code.name() + " (minimal ACK, default delimiters)" : code.name();
    }
}
