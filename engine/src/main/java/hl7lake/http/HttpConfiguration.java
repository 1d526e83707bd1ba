package hl7lake.http;

import hl7lake.catalog.MessageIndex;
import hl7lake.ingest.Acknowledgements;
import hl7lake.lake.LakeWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;

import java.net.MalformedURLException;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * The HTTP server's and the HTTP door's beans ({@code hl7lake.http.*}): the Vert.x instance
 * platform-http finds in the registry ({@link HttpServerGuard}, the server's limits), the door's
 * header filter, the token verifier (Cognito's issuer, or the local one local mode sets) and
 * {@code httpDoor}, the steps of {@code routes/http.yaml}. Listed in {@code camel.main.configuration-classes}.
 */
public final class HttpConfiguration implements CamelConfiguration {

    @PropertyInject("hl7lake.http.port")
    private int port;

    private HttpServerGuard guard;

    /** Bound even when the door is off (its route is then not started, but is still built). */
    @BindToRegistry("httpDoor")
    public HttpDoor httpDoor(Acknowledgements acks, LakeWriter lake, MessageIndex index,
                             @PropertyInject("hl7lake.http.door.enabled") boolean enabled,
                             @PropertyInject(value = "hl7lake.http.auth.issuer", defaultValue = "") String issuer,
                             @PropertyInject(value = "hl7lake.http.auth.jwks-url", defaultValue = "") String jwks,
                             @PropertyInject(value = "hl7lake.http.auth.client-id", defaultValue = "") String clientId,
                             @PropertyInject("hl7lake.http.auth.clock-skew-seconds") int clockSkewSeconds,
                             @PropertyInject("hl7lake.http.auth.jwks-refetch-seconds") int refetchSeconds,
                             @PropertyInject("hl7lake.http.max-message-bytes") int maxMessageBytes) {
        TokenVerifier tokens = enabled ? tokenVerifier(issuer, jwks, clientId, clockSkewSeconds, refetchSeconds) : null;
        return new HttpDoor(tokens, acks, maxMessageBytes, Clock.systemUTC(), lake, index);
    }

    /** The verifier of {@code hl7lake.http.auth.*}'s tokens: the issuer and client id are required. */
    public static TokenVerifier tokenVerifier(String issuer, String jwks, String clientId, int clockSkewSeconds,
                                              int refetchSeconds) {
        String iss = required(issuer, "hl7lake.http.auth.issuer");
        return new TokenVerifier(url(jwks.isBlank() ? iss + "/.well-known/jwks.json" : jwks.trim()), iss,
                required(clientId, "hl7lake.http.auth.client-id"), Duration.ofSeconds(clockSkewSeconds),
                Duration.ofSeconds(refetchSeconds));
    }

    @BindToRegistry("httpHeaders")
    public ReplyHeaders httpHeaders() {
        return new ReplyHeaders();
    }

    /** The aggregation of a request's messages: their outcomes, in order. */
    @BindToRegistry("httpResults")
    public AggregationStrategy httpResults() {
        return new GroupedBodyAggregationStrategy();
    }

    /** The Vert.x instance platform-http finds in the registry: its HTTP server gets the engine's limits. */
    @BindToRegistry(value = "vertx", destroyMethod = "stop")
    public Vertx vertx(@PropertyInject("hl7lake.http.idle-timeout-seconds") int idleTimeoutSeconds,
                       @PropertyInject("hl7lake.http.request-header-timeout-seconds") int headerTimeoutSeconds,
                       @PropertyInject("hl7lake.http.max-connections") int maxConnections) {
        guard = HttpServerGuard.create(idleTimeoutSeconds, headerTimeoutSeconds, maxConnections);
        return guard;
    }

    /** Once Camel has started: the server's counters in /observe/metrics, and JSON for the routes' router's own refusals. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        camel.addStartupListener((context, alreadyStarted) -> {
            MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null && guard != null) {
                guard.bind(registry);
            }
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router != null) { // the root router has them already; failures inside the routes' router too
                HttpServerGuard.jsonErrors(router);
            }
        });
    }

    private static String required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("setting " + key + " is required (or its environment variable "
                    + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")");
        }
        return value.trim();
    }

    private static URL url(String value) {
        try {
            return new URL(value);
        } catch (MalformedURLException e) {
            throw new IllegalStateException("not a URL: " + value, e);
        }
    }
}
