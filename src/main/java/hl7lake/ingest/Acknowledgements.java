package hl7lake.ingest;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import hl7lake.convert.Conversion;
import hl7lake.hl7.Ack;
import hl7lake.hl7.AckBuilder;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MshHeader;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The HL7 acknowledgement of a pipeline outcome, for every door that answers in HL7 (MLLP, and the
 * {@code ack} of the HTTP reply): AA stored; AE/AR as the rejection says (stored in the error zone);
 * AR with ERR-3 207 when storage failed and nothing was stored, so the sender sends it again. A
 * resent message gets the same codes as the first time, since its bytes convert the same way.
 */
public final class Acknowledgements {

    private final AckBuilder builder;

    public Acknowledgements(AckBuilder builder) {
        this.builder = builder;
    }

    /** The ACK and the charset to encode it in, or empty when the sender's MSH-15 asked for none. */
    public Optional<Reply> of(Ingestion ingestion) {
        Conversion conversion = ingestion.conversion();
        MshHeader header = conversion != null ? conversion.header() : lenientHeader(ingestion.inbound().bytes());
        Charset charset = conversion != null ? conversion.charset() : StandardCharsets.ISO_8859_1;
        Optional<Ack> ack = switch (ingestion.outcome()) {
            case ACCEPTED -> builder.build(header, AcknowledgmentCode.AA, null);
            case REJECTED -> {
                Hl7Rejection why = ((Conversion.Rejected) conversion).rejection();
                yield builder.build(header, why.acknowledgmentCode(), why);
            }
            case TRANSIENT_FAILURE -> builder.build(header, AcknowledgmentCode.AR, notStored());
        };
        return ack.map(a -> new Reply(a, charset));
    }

    /** AR for a message over the size limit: not processed, not stored. {@code head}: its first bytes. */
    public Optional<Reply> tooLarge(byte[] head, long limitBytes) {
        return builder.build(lenientHeader(head), AcknowledgmentCode.AR, Hl7Rejection.tooLarge(limitBytes))
                .map(a -> new Reply(a, StandardCharsets.ISO_8859_1));
    }

    /** AR for a message the engine could not handle (nothing stored): the sender sends it again. */
    public Optional<Reply> notProcessed(byte[] message) {
        return builder.build(lenientHeader(message), AcknowledgmentCode.AR, notStored())
                .map(a -> new Reply(a, StandardCharsets.ISO_8859_1));
    }

    /** AR for a message the MLLP door skipped while too many bytes were buffered (nothing stored): send it again. */
    public Optional<Reply> busy(byte[] head) {
        return builder.build(lenientHeader(head), AcknowledgmentCode.AR, new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR,
                        ErrorLocation.message(), "not processed: the engine is receiving too much at once; send the message again"))
                .map(a -> new Reply(a, StandardCharsets.ISO_8859_1));
    }

    static Hl7Rejection notStored() {
        return new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(),
                "not stored: the lake is unavailable; send the message again");
    }

    private static MshHeader lenientHeader(byte[] bytes) {
        try {
            return MshHeader.lenient(bytes);
        } catch (Hl7Rejection unreadable) {
            return MshHeader.UNREADABLE;
        }
    }

    /** An ACK and the charset the inbound message was read in (MSH-18), in which it is sent back. */
    public record Reply(Ack ack, Charset charset) {

        public byte[] bytes() {
            return ack.er7().getBytes(charset);
        }
    }
}
