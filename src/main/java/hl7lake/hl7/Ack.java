package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;

/** An acknowledgement ready to send: its ER7 text (CR between segments), code and own control id. */
public record Ack(String er7, AcknowledgmentCode code, String controlId) {
}
