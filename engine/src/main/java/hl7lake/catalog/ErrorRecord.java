package hl7lake.catalog;

import java.time.Instant;

/**
 * One rejected message: where its bytes are in the error zone, at which stage and why (HL7 table
 * 0357 code, location, reason; never a value from the message), how it came in.
 */
public record ErrorRecord(String errorId, String errorKey, String stage, int code, String location, String reason,
                          String ackCode, Instant receivedAt, String door, String rawKey, String sha256,
                          String controlId) {
}
