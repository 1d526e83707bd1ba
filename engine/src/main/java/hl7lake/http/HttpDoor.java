package hl7lake.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.ingest.Acknowledgements;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.LogText;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.lake.MessageIds;
import io.vertx.core.http.HttpServerRequest;
import hl7lake.ingest.Outcome;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP door's steps ({@code routes/http.yaml}): the token is checked and the body read into
 * messages for the pipeline, or the request is answered at once (401, 413, 415, 400); the stored
 * outcomes become the JSON reply: 200 accepted, 400 rejected (in the error zone), 503 with
 * Retry-After when storage failed (nothing stored). Every reply is JSON, and carries no response
 * header but ours. Logs ids, codes and sizes.
 */
public final class HttpDoor {

    static final String RETRY_AFTER_SECONDS = "5";
    /** HL7 table 0357 "data type error": the body is not in the form its content type says. */
    static final int UNREADABLE_CODE = 102;
    private static final String REMOTE = "CamelVertxPlatformHttpRemoteAddress";
    private static final Logger LOG = LoggerFactory.getLogger(HttpDoor.class);
    /** Exchange property: set once storage failed for a message of this request (shared by the split's parts). */
    static final String STORAGE_FAILED = "hl7lake.http.storageFailed";
    private static final ObjectMapper JSON = new ObjectMapper();

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
     * The messages of an authorized, readable request; otherwise the JSON answer, as a String. The
     * token and the content type are read from the request's own headers: request data never becomes
     * an exchange header ({@link ReplyHeaders}), so a query parameter or a form field counts for nothing.
     */
    public Object receive(Exchange exchange) {
        Message in = exchange.getMessage();
        HttpServerRequest request = in instanceof HttpMessage http ? http.getRequest() : null;
        Object remote = in.getHeader(REMOTE);
        if (tokens == null || request == null) {
            return answer(exchange, 503, problem("unavailable", "the HTTP door is disabled"));
        }
        try {
            tokens.verify(request.getHeader("Authorization"));
        } catch (Unauthorized refused) {
            LOG.info("http {}: 401, {}", remote, refused.getMessage());
            reply(exchange, "WWW-Authenticate", refused.challenge());
            return answer(exchange, 401, problem("unauthorized", refused.getMessage()));
        }
        try {
            String contentType = request.getHeader("Content-Type");
            RequestBodies.Parsed parsed = RequestBodies.parse(contentType, () -> in.getBody(byte[].class), maxMessageBytes);
            Instant now = clock.instant();
            exchange.setProperty(STORAGE_FAILED, new AtomicBoolean());
            return parsed.messages().stream().map(m -> Inbound.of(m, "http", now, parsed.declaredCharset())).toList();
        } catch (HttpProblem problem) {
            ObjectNode body = problem(problem.status() == 413 ? "too_large" : "bad_request", problem.getMessage());
            if (problem.unreadable() != null) {
                keep(problem, body);
            }
            LOG.info("http {}: {}, {}{}", remote, problem.status(), problem.getMessage(),
                    body.has("error_id") ? ", kept as error " + body.get("error_id").asText() : "");
            return answer(exchange, problem.status(), body);
        }
    }

    /**
     * One message of the request, for the pipeline; or, once storage failed for an earlier message
     * of the same request, its transient failure without trying (a batch against a store that does
     * not answer costs one storage deadline, not one per message).
     */
    public Object next(@Body Inbound inbound, @ExchangeProperty(STORAGE_FAILED) AtomicBoolean storageFailed) {
        return storageFailed != null && storageFailed.get() ? Ingestion.notTried(inbound) : inbound;
    }

    /** Notes a transient failure, so that the request's later messages are not tried. */
    public Ingestion noted(@Body Ingestion ingestion, @ExchangeProperty(STORAGE_FAILED) AtomicBoolean storageFailed) {
        if (storageFailed != null && ingestion.outcome() == Outcome.TRANSIENT_FAILURE) {
            storageFailed.set(true);
        }
        return ingestion;
    }

    /** A body that could not be decoded: its bytes into the error zone, with an error record that says why. */
    private void keep(HttpProblem problem, ObjectNode body) {
        String errorId = MessageIds.next();
        String errorKey = LakeKeys.error(errorId);
        byte[] bytes = problem.unreadable();
        lake.error(errorKey, bytes, errorKey);
        index.record(new ErrorRecord(errorId, errorKey, "decode", UNREADABLE_CODE, "body", problem.getMessage(), "AE",
                clock.instant(), "http", errorKey, MessageConverter.sha256(bytes), null));
        body.put("error_id", errorId);
        body.put("code", UNREADABLE_CODE);
        body.put("location", "body");
        body.put("error_key", errorKey);
    }

    /** The reply to the stored outcomes: one result, or a batch with a result per message. */
    public String respond(List<Ingestion> outcomes, Exchange exchange) {
        boolean unavailable = outcomes.stream().anyMatch(i -> i.outcome() == Outcome.TRANSIENT_FAILURE);
        if (outcomes.size() == 1) {
            Ingestion only = outcomes.get(0);
            log(exchange, only);
            return answer(exchange, status(only), result(only));
        }
        ArrayNode results = JSON.createArrayNode();
        int accepted = 0;
        for (Ingestion ingestion : outcomes) {
            log(exchange, ingestion);
            results.add(result(ingestion));
            accepted += ingestion.outcome() == Outcome.ACCEPTED ? 1 : 0;
        }
        ObjectNode batch = JSON.createObjectNode();
        batch.put("status", unavailable ? "unavailable" : "batch");
        batch.put("messages", outcomes.size());
        batch.put("accepted", accepted);
        batch.put("rejected", (int) outcomes.stream().filter(i -> i.outcome() == Outcome.REJECTED).count());
        batch.set("results", results);
        return answer(exchange, unavailable ? 503 : 200, batch);
    }

    /** Anything that went wrong in the door itself: 503, nothing was acknowledged. */
    public String failed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("http {}: the request could not be handled ({}); answered 503", exchange.getMessage().getHeader(REMOTE),
                cause == null ? "?" : cause.getClass().getSimpleName());
        return answer(exchange, 503, problem("unavailable", "the request could not be handled; send it again"));
    }

    private static int status(Ingestion ingestion) {
        return switch (ingestion.outcome()) {
            case ACCEPTED -> 200;
            case REJECTED -> 400;
            case TRANSIENT_FAILURE -> 503;
        };
    }

    private ObjectNode result(Ingestion ingestion) {
        ObjectNode json = JSON.createObjectNode();
        Conversion conversion = ingestion.conversion();
        String ack = acks.of(ingestion).map(reply -> reply.ack().er7()).orElse(null);
        switch (ingestion.outcome()) {
            case ACCEPTED -> {
                json.put("status", "accepted");
                json.put("message_id", ingestion.messageId());
                json.put("control_id", conversion.header().controlId());
                json.put("staging_key", ingestion.stagingKey());
            }
            case REJECTED -> {
                Hl7Rejection why = ((Conversion.Rejected) conversion).rejection();
                json.put("status", "rejected");
                json.put("error_id", ingestion.messageId());
                json.put("control_id", emptyToNull(conversion.header().controlId()));
                json.put("code", why.code().getCode());
                json.put("location", why.location().toString());
                json.put("reason", why.reason());
                json.put("error_key", ingestion.errorKey());
            }
            case TRANSIENT_FAILURE -> {
                json.put("status", "unavailable");
                json.put("reason", "storage is unavailable; nothing was stored; send the message again");
            }
        }
        if (ingestion.isDuplicate()) {
            json.put("duplicate", true);
        }
        json.put("ack", ack);
        return json;
    }

    private static ObjectNode problem(String status, String reason) {
        ObjectNode json = JSON.createObjectNode();
        json.put("status", status);
        json.put("reason", reason);
        return json;
    }

    private static String answer(Exchange exchange, int status, ObjectNode body) {
        Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        reply(exchange, Exchange.CONTENT_TYPE, "application/json");
        if (status == 503) {
            reply(exchange, "Retry-After", RETRY_AFTER_SECONDS);
        }
        return body.toString();
    }

    /** A response header of ours: the only kind {@link ReplyHeaders} lets out. */
    private static void reply(Exchange exchange, String name, String value) {
        exchange.getMessage().setHeader(name, value);
        ReplyHeaders.allow(exchange, name);
    }

    private static void log(Exchange exchange, Ingestion ingestion) {
        Conversion conversion = ingestion.conversion();
        LOG.info("http {}: message {} control id {} ({} bytes): {}{}", exchange.getMessage().getHeader(REMOTE),
                ingestion.messageId(), conversion == null ? "?" : LogText.cap(conversion.header().controlId()),
                ingestion.inbound().bytes().length,
                ingestion.outcome(), ingestion.isDuplicate() ? ", a resend of a stored message" : "");
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
