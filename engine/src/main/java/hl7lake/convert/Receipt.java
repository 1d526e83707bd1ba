package hl7lake.convert;

import java.time.Instant;

/**
 * How a message arrived: our id for it, the door, when, and the raw object holding its bytes
 * ({@code s3://bucket/key}, or null where there is none).
 */
public record Receipt(String messageId, String door, Instant receivedAt, String rawUri) {
}
