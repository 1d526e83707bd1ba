package hl7lake.ingest;

import java.time.Instant;

/**
 * One message as a door hands it to the pipeline: its exact bytes, the door, when it arrived, and,
 * for the S3 drop folder, the file that is already its raw object and where in it the message is
 * ({@code rawKey} null: the pipeline writes a raw object of its own).
 */
public record Inbound(byte[] bytes, String door, Instant receivedAt, String rawKey, Long rawOffset, Long rawLength) {

    public static Inbound of(byte[] bytes, String door, Instant receivedAt) {
        return new Inbound(bytes, door, receivedAt, null, null, null);
    }
}
