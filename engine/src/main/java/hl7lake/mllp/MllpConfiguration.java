package hl7lake.mllp;

import hl7lake.ingest.Acknowledgements;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

import java.time.Clock;

/**
 * The MLLP door's beans ({@code hl7lake.mllp.*}): the Netty handlers {@code routes/mllp.yaml} gives
 * camel-netty (framing, limits, idle connections), its TLS parameters and {@code mllpDoor}, its steps.
 * Its counters join /observe/metrics once Camel has started. Listed in
 * {@code camel.main.configuration-classes}, after the pipeline's.
 */
public final class MllpConfiguration implements CamelConfiguration {

    @PropertyInject("hl7lake.mllp.max-connections")
    private int maxConnections;
    @PropertyInject("hl7lake.mllp.max-message-bytes")
    private int maxMessageBytes;
    @PropertyInject("hl7lake.mllp.read-timeout-seconds")
    private int readTimeoutSeconds;
    @PropertyInject("hl7lake.mllp.idle-timeout-seconds")
    private int idleTimeoutSeconds;
    @PropertyInject("hl7lake.mllp.evict-idle-seconds")
    private int evictIdleSeconds;
    @PropertyInject("hl7lake.mllp.max-buffered-bytes")
    private int maxBufferedBytes;

    private final MllpStats stats = new MllpStats();
    private MllpHandlers handlers;

    /** One set of handlers (one connection count, one buffer cap) for the four handler beans. */
    private MllpHandlers handlers() {
        if (handlers == null) {
            handlers = new MllpHandlers(maxConnections, maxMessageBytes, readTimeoutSeconds * 1000L, idleTimeoutSeconds,
                    evictIdleSeconds, maxBufferedBytes, stats);
        }
        return handlers;
    }

    @BindToRegistry("mllpDoor")
    public MllpDoor mllpDoor(Acknowledgements acks) {
        return new MllpDoor(acks, stats, maxMessageBytes, Clock.systemUTC());
    }

    @BindToRegistry("mllpIdle")
    public ChannelHandler mllpIdle() {
        return handlers().idle();
    }

    @BindToRegistry("mllpConnections")
    public ChannelHandler mllpConnections() {
        return handlers().connections();
    }

    @BindToRegistry("mllpFrames")
    public ChannelHandler mllpFrames() {
        return handlers().frames();
    }

    @BindToRegistry("mllpEncoder")
    public ChannelHandler mllpEncoder() {
        return handlers().encoder();
    }

    /** The server key from the configured keystore; empty parameters (unused) when TLS is off. */
    @BindToRegistry("mllpTls")
    public SSLContextParameters mllpTls(@PropertyInject("hl7lake.mllp.tls.enabled") boolean enabled,
                                        @PropertyInject(value = "hl7lake.mllp.tls.keystore", defaultValue = "") String keystore,
                                        @PropertyInject(value = "hl7lake.mllp.tls.keystore-password", defaultValue = "") String password,
                                        @PropertyInject("hl7lake.mllp.tls.keystore-type") String type) {
        SSLContextParameters tls = new SSLContextParameters();
        if (!enabled) {
            return tls;
        }
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + required(keystore, "hl7lake.mllp.tls.keystore"));
        store.setPassword(required(password, "hl7lake.mllp.tls.keystore-password"));
        store.setType(type);
        KeyManagersParameters keys = new KeyManagersParameters();
        keys.setKeyStore(store);
        keys.setKeyPassword(password);
        tls.setKeyManagers(keys);
        return tls;
    }

    private static String required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("setting " + key + " is required when hl7lake.mllp.tls.enabled is true");
        }
        return value.trim();
    }

    /** The door's counters in the registry /observe/metrics serves, which exists once Camel has started. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        camel.addStartupListener((context, alreadyStarted) -> {
            MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null) {
                stats.bind(registry);
            }
        });
    }
}
