package hl7lake.mllp;

import io.netty.channel.ChannelHandler;
import io.netty.handler.timeout.IdleStateHandler;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

import java.util.concurrent.TimeUnit;

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

    public MllpHandlers(int maxConnections, int maxMessageBytes, long readTimeoutMillis, long idleTimeoutSeconds,
                        MllpStats stats) {
        this.maxMessageBytes = maxMessageBytes;
        this.readTimeoutMillis = readTimeoutMillis;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.stats = stats;
        this.connections = new MllpConnections(maxConnections, stats, readTimeoutMillis);
    }

    /** Fires an idle event when a connection has neither read nor written for the idle timeout (0: never). */
    public ChannelHandler idle() {
        return new DefaultChannelHandlerFactory() {
            @Override
            public ChannelHandler newChannelHandler() {
                return new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS);
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
                return new MllpFrameDecoder(maxMessageBytes, readTimeoutMillis, stats);
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
