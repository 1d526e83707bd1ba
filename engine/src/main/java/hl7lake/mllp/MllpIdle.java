package hl7lake.mllp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that carried no MLLP traffic for the idle timeout: no frame received whole,
 * none in progress, no reply owed ({@link MllpActivity}). Unlike Netty's IdleStateHandler, bytes outside
 * any frame do not count: a sender trickling one byte of junk a minute does not hold a connection
 * slot forever.
 */
final class MllpIdle extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MllpIdle.class);

    private final long idleNanos;
    private final MllpStats stats;
    private ScheduledFuture<?> check;

    MllpIdle(long idleMillis, MllpStats stats) {
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        MllpActivity.of(ctx.channel());
        if (idleNanos > 0) { // 0: never
            schedule(ctx, idleNanos);
        }
        super.channelActive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = MllpActivity.of(ctx.channel()).idleNanos(ctx.channel(), System.nanoTime());
        if (idle >= idleNanos) {
            stats.idleClosed();
            LOG.info("mllp connection from {}: no message for {} s; closing it", ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toSeconds(idle));
            ctx.close();
            return;
        }
        schedule(ctx, idleNanos - idle);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
        }
        super.channelInactive(ctx);
    }
}
