package hl7lake.ingest;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import hl7lake.convert.Conversion;
import hl7lake.hl7.Ack;
import hl7lake.hl7.AckBuilder;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MshHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The HL7 acknowledgements of a pipeline outcome, for every door that answers in HL7 (MLLP, and the
 * {@code ack} of the HTTP reply): AA stored; AE/AR as the rejection says (stored in the error zone);
 * AR with ERR-3 207 when storage failed and nothing was stored, so the sender sends it again. In
 * enhanced mode, the accept and application acknowledgements MSH-15 and MSH-16 ask for
 * ({@link AckBuilder#answers}). A resent message gets the same codes as the first time, since its
 * bytes convert the same way. Never throws: whatever fails, the sender still gets an answer.
 */
public final class Acknowledgements {

    private static final Logger LOG = LoggerFactory.getLogger(Acknowledgements.class);

    private final AckBuilder builder;

    public Acknowledgements(AckBuilder builder) {
        this.builder = builder;
    }

    /** Every ACK the sender asked for, in the order to send them (none when MSH-15/16 ask for none). */
    public List<Reply> all(Ingestion ingestion) {
        MshHeader header = MshHeader.UNREADABLE;
        Charset charset = StandardCharsets.ISO_8859_1;
        AcknowledgmentCode outcome = AcknowledgmentCode.AR;
        Hl7Rejection why = notStored();
        try {
            Conversion conversion = ingestion.conversion();
            header = conversion != null ? conversion.header() : MshHeader.forReply(ingestion.inbound().bytes());
            charset = conversion != null ? conversion.charset() : StandardCharsets.ISO_8859_1;
            if (ingestion instanceof Ingestion.Accepted) {
                outcome = AcknowledgmentCode.AA;
                why = null;
            } else if (ingestion instanceof Ingestion.Rejected rejected) {
                why = rejected.rejection();
                outcome = why.acknowledgmentCode();
            }
            return replies(builder.answers(header, outcome, why), charset);
        } catch (RuntimeException e) {
            LOG.warn("message {}: its acknowledgements could not be built ({}); a minimal {} is sent",
                    ingestion.messageId(), e.getClass().getSimpleName(), outcome);
            return List.of(new Reply(builder.ack(header, outcome, why), StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * The one ACK of a synchronous reply (the HTTP door's {@code ack}): the application-level answer,
     * that is the last one the sender asked for (the application ACK in enhanced mode when MSH-16 asks
     * for one); empty when MSH-15 and MSH-16 ask for none.
     */
    public Optional<Reply> of(Ingestion ingestion) {
        List<Reply> all = all(ingestion);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** AR (CE in enhanced mode) for a message over the size limit: not processed, not stored. {@code head}: its first bytes. */
    public List<Reply> tooLarge(byte[] head, long limitBytes) {
        return notTaken(head, Hl7Rejection.tooLarge(limitBytes));
    }

    /** AR (CE in enhanced mode) for a message the engine could not handle (nothing stored): the sender sends it again. */
    public List<Reply> notProcessed(byte[] message) {
        return notTaken(message, notStored());
    }

    private List<Reply> notTaken(byte[] bytes, Hl7Rejection why) {
        MshHeader header = MshHeader.UNREADABLE;
        try {
            header = MshHeader.forReply(bytes);
            return replies(builder.answers(header, AcknowledgmentCode.AR, why), StandardCharsets.ISO_8859_1);
        } catch (RuntimeException e) {
            return List.of(new Reply(builder.ack(header, AcknowledgmentCode.AR, why), StandardCharsets.ISO_8859_1));
        }
    }

    /** AR (CE in enhanced mode) for a message the MLLP door skipped while too many bytes were buffered (nothing stored): send it again. */
    public List<Reply> busy(byte[] head) {
        return notTaken(head, new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(),
                "not processed: the engine is receiving too much at once; send the message again"));
    }

    static Hl7Rejection notStored() {
        return new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(),
                "not stored: the lake is unavailable; send the message again");
    }

    private static List<Reply> replies(List<Ack> acks, Charset charset) {
        return acks.stream().map(ack -> new Reply(ack, charset)).toList();
    }

    /** What a door logs as sent: the codes in order, or that MSH-15/16 asked for none. */
    public static String describe(List<Reply> replies) {
        if (replies.isEmpty()) {
            return "no ACK (MSH-15/16)";
        }
        StringBuilder text = new StringBuilder();
        for (Reply reply : replies) {
            text.append(text.length() == 0 ? "" : " then ").append(reply.ack().describe());
        }
        return text.toString();
    }

    /** An ACK and the charset the inbound message was read in (MSH-18), in which it is sent back. */
    public record Reply(Ack ack, Charset charset) {

        public byte[] bytes() {
            return ack.minimal() ? ack.er7().getBytes(StandardCharsets.ISO_8859_1) : ack.er7().getBytes(charset);
        }
    }
}
