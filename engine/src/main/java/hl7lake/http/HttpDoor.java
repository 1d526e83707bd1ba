package hl7lake.http;

import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.ingest.Acknowledgements;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.LogText;
import hl7lake.ingest.Outcome;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.lake.MessageIds;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static hl7lake.Hl7LakeConstants.HTTP_RESPONSE_CODE;
import static hl7lake.Hl7LakeConstants.HTTP_STORAGE_FAILED;

/**
 * The HTTP door's steps ({@code routes/http.yaml}): the token is checked ({@link Unauthorized}, 401)
 * and the body read into messages for the pipeline ({@link HttpProblem}: 413, 415, 400), each refusal
 * an exception the route maps to its status; the stored outcomes become the {@link HttpReply}: 200
 * accepted, 400 rejected (in the error zone), 503 when storage failed (nothing stored). The route sets
 * the status and marshals the reply to JSON. Request data never becomes an exchange header
 * ({@link ReplyHeaders}). Logs ids, codes and sizes.
 */
public final class HttpDoor {

    /** HL7 table 0357 "data type error": the body is not in the form its content type says. */
    static final int UNREADABLE_CODE = 102;
    private static final Logger LOG = LoggerFactory.getLogger(HttpDoor.class);

    private final TokenVerifier tokens;
    private final Acknowledgements acks;
    private final int maxMessageBytes;
    private final Clock clock;
    private final LakeWriter lake;
    private final MessageIndex index;

    /** {@code tokens} null: the door is disabled ({@code hl7lake.http.door.enabled=false}) and its route not started. */
    public HttpDoor(TokenVerifier tokens, Acknowledgements acks, int maxMessageBytes, Clock clock, LakeWriter lake,
                    MessageIndex index) {
        this.tokens = tokens;
        this.acks = acks;
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
        this.lake = lake;
        this.index = index;
    }

    /**
     * The bearer token, from the request's own {@code Authorization} header (a query parameter or a
     * form field counts for nothing): {@link Unauthorized} when missing or not valid, {@link Forbidden}
     * when it lacks the {@code sender} role.
     */
    public void authorize(Exchange exchange) throws Unauthorized, Forbidden {
        if (tokens == null) {
            throw new IllegalStateException("the HTTP door is disabled");
        }
        tokens.caller(request(exchange).getHeader("Authorization")).require(Caller.Role.SENDER, "send messages");
    }

    /**
     * The messages of the body, by its content type (read from the request itself): a batch body gives
     * several. {@link HttpProblem} when the body cannot be taken.
     */
    public List<Inbound> read(Exchange exchange) throws HttpProblem {
        Message in = exchange.getMessage();
        RequestBodies.Parsed parsed = RequestBodies.parse(request(exchange).getHeader("Content-Type"),
                () -> in.getBody(byte[].class), maxMessageBytes);
        Instant now = clock.instant();
        exchange.setProperty(HTTP_STORAGE_FAILED, new AtomicBoolean());
        List<Inbound> messages = new ArrayList<>(parsed.messages().size());
        for (byte[] message : parsed.messages()) {
            messages.add(Inbound.of(message, "http", now, parsed.declaredCharset()));
        }
        return messages;
    }

    private static HttpServerRequest request(Exchange exchange) {
        if (exchange.getMessage() instanceof HttpMessage http) {
            return http.getRequest();
        }
        throw new IllegalStateException("not an HTTP request of platform-http");
    }

    /**
     * One message of the request, for the pipeline; or, once storage failed for an earlier message
     * of the same request, its transient failure without trying (a batch against a store that does
     * not answer costs one storage deadline, not one per message).
     */
    public Object next(@Body Inbound inbound, @ExchangeProperty(HTTP_STORAGE_FAILED) AtomicBoolean storageFailed) {
        return storageFailed != null && storageFailed.get() ? Ingestion.notTried(inbound) : inbound;
    }

    /** Notes a transient failure, so that the request's later messages are not tried. */
    public Ingestion noted(@Body Ingestion ingestion, @ExchangeProperty(HTTP_STORAGE_FAILED) AtomicBoolean storageFailed) {
        if (storageFailed != null && ingestion.outcome() == Outcome.TRANSIENT_FAILURE) {
            storageFailed.set(true);
        }
        return ingestion;
    }

    /** True when a message of the request was not stored: 503, send it again. */
    public boolean unavailable(@Body List<Ingestion> outcomes) {
        for (Ingestion ingestion : outcomes) {
            if (ingestion.outcome() == Outcome.TRANSIENT_FAILURE) {
                return true;
            }
        }
        return false;
    }

    /** True when the request's one message was rejected: 400 (a batch is answered 200 with a result per message). */
    public boolean rejected(@Body List<Ingestion> outcomes) {
        return outcomes.size() == 1 && outcomes.get(0).outcome() == Outcome.REJECTED;
    }

    /** The reply to the stored outcomes: one result, or a batch with a result per message. */
    public HttpReply respond(@Body List<Ingestion> outcomes, Exchange exchange) {
        Object remote = remote(exchange);
        if (outcomes.size() == 1) {
            Ingestion only = outcomes.get(0);
            log(remote, only);
            return result(only);
        }
        List<HttpReply> results = new ArrayList<>(outcomes.size());
        int accepted = 0;
        int rejected = 0;
        boolean unavailable = false;
        for (Ingestion ingestion : outcomes) {
            log(remote, ingestion);
            results.add(result(ingestion));
            accepted += ingestion.outcome() == Outcome.ACCEPTED ? 1 : 0;
            rejected += ingestion.outcome() == Outcome.REJECTED ? 1 : 0;
            unavailable |= ingestion.outcome() == Outcome.TRANSIENT_FAILURE;
        }
        return new HttpReply.Batch(unavailable ? "unavailable" : "batch", outcomes.size(), accepted, rejected, results);
    }

    /**
     * The reply to a request refused before the pipeline (401, 403, 413, 415, an empty body's 400), with
     * the status the route set; logged.
     */
    public HttpReply.Problem refused(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception why,
                                     @Header(HTTP_RESPONSE_CODE) int status, Exchange exchange) {
        LOG.info("http {}: {}, {}", remote(exchange), status, why.getMessage());
        return new HttpReply.Problem(status == 401 ? "unauthorized" : status == 403 ? "forbidden" : status == 413 ? "too_large" : "bad_request",
                why.getMessage());
    }

    /** A body that could not be decoded (400): its bytes into the error zone, with an error record that says why. */
    public HttpReply.Problem keep(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) HttpProblem.Unreadable why,
                                  Exchange exchange) {
        String errorId = MessageIds.next();
        String errorKey = LakeKeys.error(errorId);
        byte[] bytes = why.body();
        lake.error(errorKey, bytes, errorKey);
        index.record(new ErrorRecord(errorId, errorKey, "decode", UNREADABLE_CODE, "body", why.getMessage(), "AE",
                clock.instant(), "http", errorKey, MessageConverter.sha256(bytes), null));
        LOG.info("http {}: 400, {}, kept as error {}", remote(exchange), why.getMessage(), errorId);
        return new HttpReply.Problem("bad_request", why.getMessage(), errorId, UNREADABLE_CODE, "body", errorKey);
    }

    /** Anything that went wrong in the door itself (503): nothing was acknowledged. */
    public HttpReply.Problem failed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("http {}: the request could not be handled ({}); answered 503", remote(exchange),
                cause == null ? "?" : cause.getClass().getSimpleName());
        return new HttpReply.Problem("unavailable", "the request could not be handled; send it again");
    }

    private HttpReply result(Ingestion ingestion) {
        Conversion conversion = ingestion.conversion();
        String ack = acks.of(ingestion).map(reply -> reply.ack().er7()).orElse(null);
        if (ingestion instanceof Ingestion.Accepted accepted) {
            return new HttpReply.Accepted(accepted.messageId(), conversion.header().controlId(), accepted.stagingKey(),
                    accepted.duplicate(), ack);
        }
        if (ingestion instanceof Ingestion.Rejected rejected) {
            Hl7Rejection why = rejected.rejection();
            return new HttpReply.Rejected(rejected.messageId(), emptyToNull(conversion.header().controlId()),
                    why.code().getCode(), why.location().toString(), why.reason(), rejected.errorKey(),
                    rejected.duplicate(), ack);
        }
        return new HttpReply.Unavailable(ack);
    }

    private static Object remote(Exchange exchange) {
        return exchange.getMessage().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
    }

    private static void log(Object remote, Ingestion ingestion) {
        Conversion conversion = ingestion.conversion();
        LOG.info("http {}: message {} control id {} ({} bytes): {}{}", remote, ingestion.messageId(),
                conversion == null ? "?" : LogText.cap(conversion.header().controlId()), ingestion.inbound().bytes().length,
                ingestion.outcome(), ingestion.duplicate() ? ", a resend of a stored message" : "");
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
