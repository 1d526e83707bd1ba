package hl7lake.mllp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guards the listener: at most {@code limit} connections at once (one more is closed at once, before
 * anything is read, and counted); a connection with no traffic for the idle timeout is closed; a
 * sender that shuts down its side after its last frame still gets its ACKs before the close. Logs
 * each connection's opening and closing with the remote address, never what it carried.
 */
@ChannelHandler.Sharable
final class MllpConnections extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MllpConnections.class);
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("hl7lake.mllp.counted");
    /** Frames passed on whose reply is not written yet (the decoder adds, the encoder takes away). */
    static final AttributeKey<AtomicInteger> PENDING = AttributeKey.valueOf("hl7lake.mllp.pending");

    private final int limit;
    private final MllpStats stats;
    private final long closeGraceMillis;

    MllpConnections(int limit, MllpStats stats, long closeGraceMillis) {
        this.limit = limit;
        this.stats = stats;
        this.closeGraceMillis = closeGraceMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!stats.opened(limit)) {
            LOG.warn("mllp connection from {} refused: {} connections are open (limit)", ctx.channel().remoteAddress(), limit);
            ctx.close();
            return;
        }
        ctx.channel().attr(COUNTED).set(true);
        ctx.channel().attr(PENDING).set(new AtomicInteger());
        // a sender may shut down its side after its last frame (netcat, simple scripts): still answer
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        LOG.info("mllp connection from {} opened ({} open)", ctx.channel().remoteAddress(), stats.open());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (Boolean.TRUE.equals(ctx.channel().attr(COUNTED).getAndSet(false))) {
            stats.closed();
            LOG.info("mllp connection from {} closed ({} open)", ctx.channel().remoteAddress(), stats.open());
            super.channelInactive(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            closeWhenAnswered(ctx, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeGraceMillis));
            return;
        }
        if (event instanceof IdleStateEvent) {
            stats.idleClosed();
            LOG.info("mllp connection from {} idle too long; closing it", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    /** The sender sent its last byte: close once every frame it sent is answered (or the grace is over). */
    private void closeWhenAnswered(ChannelHandlerContext ctx, long deadline) {
        AtomicInteger pending = ctx.channel().attr(PENDING).get();
        if (pending == null || pending.get() <= 0 || System.nanoTime() > deadline) {
            ctx.close();
            return;
        }
        ctx.executor().schedule(() -> closeWhenAnswered(ctx, deadline), 50, TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the peer, a TLS handshake that failed (plain text on the TLS port): say which, close
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        LOG.warn("mllp connection from {}: {}; closing it", ctx.channel().remoteAddress(), root.getClass().getSimpleName());
        ctx.close();
    }
}
