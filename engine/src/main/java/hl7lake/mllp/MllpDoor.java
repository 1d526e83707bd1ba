package hl7lake.mllp;

import hl7lake.convert.Conversion;
import hl7lake.ingest.Acknowledgements;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.LogText;
import hl7lake.ingest.Ingestion;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.component.netty.NettyConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

import static hl7lake.Hl7LakeConstants.MLLP_FRAME;

/**
 * The MLLP door's steps ({@code routes/mllp.yaml}): a frame becomes an {@link Inbound} for the
 * pipeline (or, over the size limit, an AR at once); the pipeline's outcome becomes our ACK, sent
 * only now that the outcome is durable. Logs ids, control ids, sizes and codes, never content.
 */
public final class MllpDoor {

    private static final Logger LOG = LoggerFactory.getLogger(MllpDoor.class);

    private final Acknowledgements acks;
    private final MllpStats stats;
    private final int maxMessageBytes;
    private final Clock clock;

    public MllpDoor(Acknowledgements acks, MllpStats stats, int maxMessageBytes, Clock clock) {
        this.acks = acks;
        this.stats = stats;
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
    }

    /** The message for the pipeline; or, for an oversize frame, its AR (ERR-3 207), nothing stored. */
    public Object receive(@Body MllpFrame frame, @Header(NettyConstants.NETTY_REMOTE_ADDRESS) Object remote,
                          Exchange exchange) {
        exchange.setProperty(MLLP_FRAME, frame);
        if (frame.shed()) { // skipped over the cap on bytes buffered (MllpBuffers): nothing stored
            List<Acknowledgements.Reply> replies = acks.busy(frame.bytes());
            LOG.warn("mllp {}: a message of {} bytes was skipped (too many bytes buffered over all connections): {}",
                    remote, frame.length(), Acknowledgements.describe(replies));
            return MllpReply.of(replies);
        }
        if (frame.oversize()) {
            stats.oversize();
            List<Acknowledgements.Reply> replies = acks.tooLarge(frame.bytes(), maxMessageBytes);
            LOG.warn("mllp {}: a message of {} bytes is over the {}-byte limit: {}, not stored", remote, frame.length(),
                    maxMessageBytes, Acknowledgements.describe(replies));
            return MllpReply.of(replies);
        }
        return Inbound.of(frame.bytes(), "mllp", clock.instant());
    }

    /** The ACKs of the stored outcome, in order; none when the sender's MSH-15/16 asked for none. */
    public MllpReply acknowledge(@Body Ingestion ingestion, @Header(NettyConstants.NETTY_REMOTE_ADDRESS) Object remote) {
        List<Acknowledgements.Reply> replies = acks.all(ingestion);
        Conversion conversion = ingestion.conversion();
        LOG.info("mllp {}: message {} control id {} ({} bytes): {}{}", remote, ingestion.messageId(),
                conversion == null ? "?" : LogText.cap(conversion.header().controlId()), ingestion.inbound().bytes().length,
                Acknowledgements.describe(replies), ingestion.duplicate() ? ", a resend of a stored message" : "");
        return MllpReply.of(replies);
    }

    /**
     * Anything that went wrong in the door itself: the sender still gets an answer. A message whose
     * outcome is known is answered by it; otherwise AR (CE), nothing was acknowledged, send it again.
     */
    public MllpReply failed(@ExchangeProperty(MLLP_FRAME) MllpFrame frame,
                            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
                            @Body Object body,
                            @Header(NettyConstants.NETTY_REMOTE_ADDRESS) Object remote) {
        List<Acknowledgements.Reply> replies = body instanceof Ingestion ingestion
                ? acks.all(ingestion)
                : acks.notProcessed(frame == null ? new byte[0] : frame.bytes());
        LOG.warn("mllp {}: the message could not be handled ({}); answered {}", remote,
                cause == null ? "?" : cause.getClass().getSimpleName(), Acknowledgements.describe(replies));
        return MllpReply.of(replies);
    }
}
