package hl7lake.ingest;

import java.nio.charset.Charset;
import java.time.Instant;

/**
 * One message as a door hands it to the pipeline: its exact bytes, the door, when it arrived, and,
 * for the S3 drop folder, the file that is already its raw object and where in it the message is
 * ({@code rawKey} null: the pipeline writes a raw object of its own); {@code declaredCharset}, the
 * charset the transport declared (an HTTP {@code charset} parameter), used when MSH-18 is empty.
 */
public record Inbound(byte[] bytes, String door, Instant receivedAt, String rawKey, Long rawOffset, Long rawLength,
                      Charset declaredCharset) {

    public Inbound(byte[] bytes, String door, Instant receivedAt, String rawKey, Long rawOffset, Long rawLength) {
        this(bytes, door, receivedAt, rawKey, rawOffset, rawLength, null);
    }

    public static Inbound of(byte[] bytes, String door, Instant receivedAt) {
        return new Inbound(bytes, door, receivedAt, null, null, null, null);
    }

    public static Inbound of(byte[] bytes, String door, Instant receivedAt, Charset declaredCharset) {
        return new Inbound(bytes, door, receivedAt, null, null, null, declaredCharset);
    }
}
