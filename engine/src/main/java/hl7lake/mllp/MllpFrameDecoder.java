package hl7lake.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MLLP framing on one connection, written for what interface engines really send (camel-hl7's codec
 * neither counts junk, tolerates a missing final CR, nor answers an oversize frame and goes on):
 * <ul>
 *   <li>every frame in the bytes read is decoded, so several frames in one TCP write (pipelining)
 *       each become a message, in order;</li>
 *   <li>bytes before a start block {@code 0x0B} are skipped and counted;</li>
 *   <li>a frame ends at {@code 0x1C}; the {@code 0x0D} after it is optional;</li>
 *   <li>a frame over {@code maxBytes} is not buffered: its first bytes are kept (for the ACK's MSH),
 *       the rest discarded up to its end, and an oversize {@link MllpFrame} is passed on, so the
 *       sender gets an answer and the connection stays usable;</li>
 *   <li>a frame not finished within the read timeout closes the connection;</li>
 *   <li>the bytes of an unfinished frame count against the cap shared by all connections
 *       ({@link MllpBuffers}): a frame that would pass it is shed like an oversize one (its first
 *       bytes kept, the rest skipped) and answered AR 207 "send it again" when it ends;</li>
 *   <li>only whole frames count as traffic for the idle timeout ({@link MllpActivity}), not junk.</li>
 * </ul>
 */
final class MllpFrameDecoder extends ByteToMessageDecoder {

    static final byte START = 0x0B;
    static final byte END = 0x1C;
    static final byte CR = 0x0D;
    /** What is kept of an oversize frame: its MSH, whatever its length, fits. */
    static final int HEAD_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(MllpFrameDecoder.class);

    private enum State { BETWEEN_FRAMES, IN_FRAME, DISCARDING }

    private final int maxBytes;
    private final long readTimeoutMillis;
    private final MllpStats stats;
    private final MllpBuffers buffers;
    private MllpActivity activity;
    /** What this connection holds of the shared cap now. */
    private long held;
    private boolean shed;

    private State state = State.BETWEEN_FRAMES;
    private boolean justEnded;
    private int scanned;
    private byte[] head;
    private long discarded;
    private long junk;
    private long frames;
    private ScheduledFuture<?> readTimeout;

    MllpFrameDecoder(int maxBytes, long readTimeoutMillis, MllpStats stats, MllpBuffers buffers) {
        this.maxBytes = maxBytes;
        this.readTimeoutMillis = readTimeoutMillis;
        this.stats = stats;
        this.buffers = buffers;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (activity == null) {
            activity = MllpActivity.of(ctx.channel());
        }
        frames(ctx, in, out);
        // what stays buffered is the start of an unfinished frame: its buffer counts against the cap
        hold(in.isReadable() ? in.capacity() : 0);
    }

    private void hold(long bytes) {
        if (bytes != held) {
            buffers.add(bytes - held);
            held = bytes;
        }
    }

    private void frames(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case BETWEEN_FRAMES -> {
                    if (!startOfFrame(ctx, in)) {
                        return;
                    }
                }
                case IN_FRAME -> {
                    if (!endOfFrame(ctx, in, out)) {
                        return;
                    }
                }
                case DISCARDING -> {
                    if (!endOfDiscarded(ctx, in, out)) {
                        return;
                    }
                }
            }
        }
    }

    /** Skips to the next start block, counting what is skipped (but the CR that closes a frame). */
    private boolean startOfFrame(ChannelHandlerContext ctx, ByteBuf in) {
        if (justEnded && in.getByte(in.readerIndex()) == CR) {
            in.skipBytes(1);
        }
        justEnded = false;
        int start = in.indexOf(in.readerIndex(), in.writerIndex(), START);
        int skipped = (start < 0 ? in.writerIndex() : start) - in.readerIndex();
        if (skipped > 0) {
            junk += skipped;
            stats.junkBytes(skipped);
            in.skipBytes(skipped);
        }
        if (start < 0) {
            return false;
        }
        if (junk > 0) {
            LOG.warn("mllp {}: skipped {} bytes before a start block", ctx.channel().remoteAddress(), junk);
            junk = 0;
        }
        in.skipBytes(1);
        state = State.IN_FRAME;
        scanned = 0;
        activity.frameStarted();
        startReadTimeout(ctx);
        return true;
    }

    private boolean endOfFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int end = in.indexOf(in.readerIndex() + scanned, in.writerIndex(), END);
        int length = (end < 0 ? in.writerIndex() : end) - in.readerIndex();
        if (length > maxBytes) {
            head = new byte[Math.min(HEAD_BYTES, length)];
            in.readBytes(head);
            discarded = head.length;
            state = State.DISCARDING;
            return true;
        }
        if (end < 0) {
            scanned = length;
            long want = in.capacity();
            if (want > held) {
                if (!buffers.grow(held, want)) {
                    held = 0; // released by grow: what is buffered is skipped below
                    shed(ctx, in, length);
                    return false;
                }
                held = want;
            }
            return false;
        }
        byte[] message = new byte[length];
        in.readBytes(message);
        in.skipBytes(1);
        frameDone();
        passedOn(ctx);
        out.add(MllpFrame.whole(message));
        return true;
    }

    private boolean endOfDiscarded(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), END);
        int length = (end < 0 ? in.writerIndex() : end) - in.readerIndex();
        discarded += length;
        in.skipBytes(length);
        if (end < 0) {
            return false;
        }
        in.skipBytes(1);
        frameDone();
        passedOn(ctx);
        out.add(shed ? MllpFrame.shed(head, discarded) : new MllpFrame(head, true, discarded));
        head = null;
        shed = false;
        return true;
    }

    /**
     * Holding more of this frame would pass the cap on buffered bytes: keep its first bytes (to
     * address the answer), skip what is buffered and what is still to come, answer AR 207 at its end.
     */
    private void shed(ChannelHandlerContext ctx, ByteBuf in, int length) {
        head = new byte[Math.min(HEAD_BYTES, length)];
        in.readBytes(head);
        in.skipBytes(length - head.length);
        discarded = length;
        shed = true;
        state = State.DISCARDING;
        stats.shed();
        LOG.warn("mllp {}: {} bytes of unfinished frames are buffered over all connections (limit {}); this frame"
                + " ({} bytes so far) is skipped and will be answered AR", ctx.channel().remoteAddress(),
                buffers.held(), buffers.cap(), length);
    }

    /** One more frame passed on and not answered yet (MllpConnections closes a half-closed connection when none is left). */
    private static void passedOn(ChannelHandlerContext ctx) {
        AtomicInteger pending = ctx.channel().attr(MllpConnections.PENDING).get();
        if (pending != null) {
            pending.incrementAndGet();
        }
    }

    private void frameDone() {
        state = State.BETWEEN_FRAMES;
        justEnded = true;
        frames++;
        activity.frameEnded();
        if (readTimeout != null) {
            readTimeout.cancel(false);
            readTimeout = null;
        }
    }

    /** A started frame must end in time: a sender that stops mid-frame does not hold the connection forever. */
    private void startReadTimeout(ChannelHandlerContext ctx) {
        if (readTimeoutMillis <= 0) {
            return;
        }
        long frame = frames;
        readTimeout = ctx.executor().schedule(() -> {
            if (frames == frame && state != State.BETWEEN_FRAMES) {
                stats.readTimeout();
                LOG.warn("mllp {}: a frame was not finished within {} ms; closing the connection",
                        ctx.channel().remoteAddress(), readTimeoutMillis);
                ctx.close();
            }
        }, readTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        hold(0);
        if (readTimeout != null) {
            readTimeout.cancel(false);
        }
        if (junk > 0) {
            LOG.warn("mllp {}: {} bytes outside any frame before the connection closed", ctx.channel().remoteAddress(), junk);
        }
        if (state != State.BETWEEN_FRAMES) {
            LOG.warn("mllp {}: the connection closed in the middle of a frame; nothing of it was processed",
                    ctx.channel().remoteAddress());
        }
    }
}
