package hl7lake.mllp;

import io.netty.channel.ChannelHandler;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

/**
 * The Netty handlers the MLLP route's endpoint is given ({@code decoders}, {@code encoders} in
 * {@code routes/mllp.yaml}): camel-netty carries the connections, TLS and keepalive, hands each
 * decoded frame to the route and writes the route's reply; the framing and limits are ours.
 */
public final class MllpHandlers {

    private final int maxMessageBytes;
    private final long readTimeoutMillis;
    private final long idleTimeoutSeconds;
    private final MllpStats stats;
    private final MllpConnections connections;
    private final MllpBuffers buffers;

    /**
     * {@code evictIdleSeconds}: at the connection limit, a connection idle this long is closed to
     * admit a new one (0: never); {@code maxBufferedBytes}: the cap on bytes of unfinished frames
     * over all connections.
     */
    public MllpHandlers(int maxConnections, int maxMessageBytes, long readTimeoutMillis, long idleTimeoutSeconds,
                        long evictIdleSeconds, long maxBufferedBytes, MllpStats stats) {
        this.maxMessageBytes = maxMessageBytes;
        this.readTimeoutMillis = readTimeoutMillis;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.stats = stats;
        this.connections = new MllpConnections(maxConnections, stats, readTimeoutMillis, evictIdleSeconds * 1000L);
        this.buffers = new MllpBuffers(maxBufferedBytes);
        stats.watch(buffers);
    }

    /** Closes a connection that carried no frame for the idle timeout (0: never); junk does not count. */
    public ChannelHandler idle() {
        return new DefaultChannelHandlerFactory() {
            @Override
            public ChannelHandler newChannelHandler() {
                return new MllpIdle(idleTimeoutSeconds * 1000L, stats);
            }
        };
    }

    public ChannelHandler connections() {
        return connections;
    }

    public ChannelHandler frames() {
        return new DefaultChannelHandlerFactory() {
            @Override
            public ChannelHandler newChannelHandler() {
                return new MllpFrameDecoder(maxMessageBytes, readTimeoutMillis, stats, buffers);
            }
        };
    }

    public ChannelHandler encoder() {
        return new MllpFrameEncoder();
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }
}
