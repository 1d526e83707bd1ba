package hl7lake.mllp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guards the listener: at most {@code limit} connections at once. At the limit, a new connection is
 * admitted by closing the connection idle longest, if one has carried no frame for at least
 * {@code evictIdle} and owes nothing (no frame in progress, no reply pending): such a sender has
 * nothing in flight and reconnects when it next has a message, as interface engines do; so a limit
 * full of idle or abandoned connections never locks new senders out for longer than that. With none
 * idle enough, the new connection is closed at once, before anything is read, and counted. A sender
 * that shuts down its side after its last frame still gets its ACKs before the close. Logs each
 * connection's opening and closing with the remote address, never what it carried.
 */
@ChannelHandler.Sharable
final class MllpConnections extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MllpConnections.class);
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("hl7lake.mllp.counted");
    private static final AttributeKey<Boolean> ADMITTED = AttributeKey.valueOf("hl7lake.mllp.admitted");
    /** Frames passed on whose reply is not written yet (the decoder adds, the encoder takes away). */
    static final AttributeKey<AtomicInteger> PENDING = AttributeKey.valueOf("hl7lake.mllp.pending");

    private final int limit;
    private final MllpStats stats;
    private final long closeGraceMillis;
    private final long evictIdleNanos;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    /** {@code evictIdleMillis}: how long a connection must be idle to be closed for a new one (0: never). */
    MllpConnections(int limit, MllpStats stats, long closeGraceMillis, long evictIdleMillis) {
        this.limit = limit;
        this.stats = stats;
        this.closeGraceMillis = closeGraceMillis;
        this.evictIdleNanos = TimeUnit.MILLISECONDS.toNanos(evictIdleMillis);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().attr(PENDING).set(new AtomicInteger());
        if (!admit(ctx.channel())) {
            LOG.warn("mllp connection from {} refused: {} connections are open (limit), none idle for {} s",
                    ctx.channel().remoteAddress(), limit, TimeUnit.NANOSECONDS.toSeconds(evictIdleNanos));
            ctx.close();
            return;
        }
        // a sender may shut down its side after its last frame (netcat, simple scripts): still answer
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        LOG.info("mllp connection from {} opened ({} open)", ctx.channel().remoteAddress(), stats.open());
        super.channelActive(ctx);
    }

    /** Counts the connection in, closing the connection idle longest for it at the limit; false: refuse it. */
    private synchronized boolean admit(Channel channel) {
        if (!stats.opened(limit)) {
            Channel idlest = idlest();
            if (idlest == null) {
                return false;
            }
            uncount(idlest);
            stats.idleEvicted();
            LOG.info("mllp connection from {}: idle, closed to admit a new connection at the limit of {}",
                    idlest.remoteAddress(), limit);
            idlest.close();
            if (!stats.opened(limit)) {
                return false;
            }
        }
        channel.attr(COUNTED).set(true);
        channel.attr(ADMITTED).set(true);
        open.add(channel);
        return true;
    }

    /** The open connection idle longest, if it has been idle at least the eviction time and owes nothing. */
    private Channel idlest() {
        if (evictIdleNanos <= 0) {
            return null;
        }
        long now = System.nanoTime();
        Channel idlest = null;
        long longest = evictIdleNanos - 1;
        for (Channel channel : open) {
            long idle = MllpActivity.of(channel).idleNanos(channel, now);
            if (idle > longest) {
                longest = idle;
                idlest = channel;
            }
        }
        return idlest;
    }

    private boolean uncount(Channel channel) {
        if (Boolean.TRUE.equals(channel.attr(COUNTED).getAndSet(false))) {
            open.remove(channel);
            stats.closed();
            return true;
        }
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (uncount(ctx.channel())) {
            LOG.info("mllp connection from {} closed ({} open)", ctx.channel().remoteAddress(), stats.open());
        }
        if (Boolean.TRUE.equals(ctx.channel().attr(ADMITTED).get())) { // an evicted one was uncounted already
            super.channelInactive(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            closeWhenAnswered(ctx, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeGraceMillis));
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
