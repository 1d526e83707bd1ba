package hl7lake.api;

import hl7lake.http.HttpReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * When the query API yields to ingest ({@code routes/api.yaml}, docs/decisions.md "The query API yields to
 * ingest"): while the pipeline route {@code ingest} has exchanges in flight (Camel's InflightRepository) or
 * finished one within the last second, the API's requests pass two Camel Throttle EIPs, one that admits at
 * most {@code hl7lake.api.rate-while-ingesting} in any second, one that lets at most
 * {@code hl7lake.api.queue-while-ingesting} wait or run at once and refuses the next at once (429, {@link #refused}),
 * so that none waits much longer than queue / rate seconds (rounded up to the throttle's one-second window);
 * when ingest is idle, neither.
 * A route policy on {@code ingest} keeps the time of the last exchange done.
 */
public final class ApiAdmission implements RoutePolicyFactory {

    /** The setting of the rate; requests per second while ingest is busy. */
    public static final String RATE = "hl7lake.api.rate-while-ingesting";
    /** The setting of how many requests may wait for their turn or run at once then; one more is refused. */
    public static final String QUEUE = "hl7lake.api.queue-while-ingesting";
    /** Ingest counts as busy this long after its last message is done. */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The most API requests let wait or run at once while ingest is busy: a waiting request holds one of Vert.x's
     * 20 worker threads, which the HTTP door's messages need too.
     */
    static final int MAX_QUEUE = 16;
    static final String ROUTE = "ingest";
    private static final Logger LOG = LoggerFactory.getLogger(ApiAdmission.class);

    private final int rate;
    private final int waiting;
    private volatile CamelContext camel;
    /** System.nanoTime() of the last ingest exchange done; starts a quiet period ago (idle). */
    private volatile long lastDone = System.nanoTime() - QUIET_NANOS;
    private volatile Counter refusals;

    /** Rejects a rate below 1, or a queue out of 1 to {@value #MAX_QUEUE}, with the setting's name: the engine then does not start. */
    public ApiAdmission(int rate, int queue) {
        if (rate < 1) {
            throw new IllegalArgumentException(RATE + " must be at least 1 (requests per second the query API admits "
                    + "while ingest is busy), was " + rate);
        }
        if (queue < 1 || queue > MAX_QUEUE) {
            throw new IllegalArgumentException(QUEUE + " must be from 1 to " + MAX_QUEUE + " (query API requests that may "
                    + "wait or run at once while ingest is busy; each holds one of the HTTP server's 20 worker threads), was "
                    + queue);
        }
        this.rate = rate;
        this.waiting = queue;
    }

    /** Requests per second the API admits while ingest is busy (the Throttle's per-second count). */
    public int rate() {
        return rate;
    }

    /** How many API requests may wait for their turn or run at once while ingest is busy; one more is refused (429). */
    public int waiting() {
        return waiting;
    }

    /** Whether ingest is busy now: a message in the pipeline, or one done within the last second. */
    public boolean ingesting() {
        CamelContext context = camel;
        if (context != null && context.getInflightRepository().size(ROUTE) > 0) {
            return true;
        }
        return System.nanoTime() - lastDone < QUIET_NANOS;
    }

    /** 429: more API requests than {@link #waiting()} while ingest is busy. Counted; logged without request data. */
    public HttpReply.Problem refused(Exchange exchange) {
        Counter counter = refusals;
        if (counter == null) {
            MeterRegistry registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null) {
                counter = Counter.builder("hl7lake.api.throttled")
                        .description("Query API requests answered 429 while ingest was busy (the API yields to ingest)")
                        .register(registry);
                refusals = counter;
            }
        }
        if (counter != null) {
            counter.increment();
        }
        LOG.debug("api: 429, ingest is busy and {} requests wait or run", waiting);
        return new HttpReply.Problem("too_many_requests", "the engine is busy taking in messages: the query API answers at most "
                + rate + " requests per second meanwhile and this one would have waited too long; try again in a moment "
                + "(Retry-After)", null, null, null, null);
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        if (!ROUTE.equals(routeId)) {
            return null;
        }
        this.camel = camelContext;
        return new RoutePolicySupport() {
            @Override
            public void onExchangeDone(Route done, Exchange exchange) {
                lastDone = System.nanoTime();
            }
        };
    }
}
