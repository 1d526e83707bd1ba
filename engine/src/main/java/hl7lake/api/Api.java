package hl7lake.api;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageRecord;
import hl7lake.http.Caller;
import hl7lake.http.Caller.Role;
import hl7lake.http.Forbidden;
import hl7lake.http.HttpReply;
import hl7lake.http.TokenVerifier;
import hl7lake.http.Unauthorized;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import static hl7lake.Hl7LakeConstants.HTTP_RESPONSE_CODE;

/**
 * The query API's steps ({@code routes/api.yaml}, {@code /api/*} on the engine's HTTP server): the
 * token and its role ({@link Caller}: {@code reader} for the GETs, {@code operator} for the audit log and
 * {@code POST /api/errors/{id}/replay}, {@link Replayer}),
 * then the resource by its path. Every read is a key or index of the catalog ({@link CatalogReader})
 * or an object of the lake by the key the catalog names. A request that returns patient data (a
 * message's record, document or bytes, a patient) appends an {@link AuditLog} entry before it is
 * answered. The reply is JSON ({@link #handle} returns a map the route marshals), or bytes with their
 * own content type (a document, a message as received). Logs the endpoint, status and subject only.
 */
public final class Api {

    static final String HL7_V2 = "application/hl7-v2";
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F-]{36}");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;
    /** The longest span of days a list walks (a Query per day), and the counts report. */
    static final int MAX_DAYS = 366;
    static final int MAX_COUNT_DAYS = 62;

    private final TokenVerifier tokens;
    private final CatalogReader catalog;
    private final CatalogTables tables;
    private final S3Client s3;
    private final String bucket;
    private final AuditLog audit;
    private final Clock clock;
    private final byte[] openApi;
    private final Replayer replayer;

    public Api(TokenVerifier tokens, CatalogReader catalog, CatalogTables tables, S3Client s3, String bucket,
               AuditLog audit, Clock clock, Replayer replayer) {
        this.replayer = replayer;
        this.tokens = tokens;
        this.catalog = catalog;
        this.tables = tables;
        this.s3 = s3;
        this.bucket = bucket;
        this.audit = audit;
        this.clock = clock;
        try (InputStream in = Api.class.getResourceAsStream("/api/openapi.json")) {
            this.openApi = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("api/openapi.json is missing from the class path", e);
        }
    }

    /** The answer to a request: a map for JSON, or bytes (their content type set). */
    public Object handle(Exchange exchange) throws Exception {
        HttpServerRequest request = request(exchange);
        String method = request.method().name();
        String[] path = request.path().substring(1).split("/", -1); // api, resource, id, action
        if (path.length == 2 && "openapi.json".equals(path[1]) && "GET".equals(method)) {
            return bytes(exchange, openApi, "application/json");
        }
        if (tokens == null) {
            throw new IllegalStateException("the query API is disabled");
        }
        Caller caller = tokens.caller(request.getHeader("Authorization"));
        String resource = path.length > 1 ? path[1] : "";
        String id = path.length > 2 ? path[2] : null;
        exchange.getMessage().setHeader(HTTP_RESPONSE_CODE, 200);
        if ("GET".equals(method) && path.length <= 3) {
            caller.require(Role.READER, "read the API");
            switch (resource) {
                case "messages":
                    return id == null ? messages(exchange, caller, request) : message(exchange, caller, request, id(id));
                case "patients":
                    return id == null ? patients(exchange, caller, request) : patient(exchange, caller, request, id(id));
                case "errors":
                    return id == null ? errors(request) : error(exchange, caller, request, id(id));
                case "counts":
                    if (id == null) {
                        return counts(request);
                    }
                    break;
                case "audit":
                    if (id == null) {
                        caller.require(Role.OPERATOR, "read the audit log");
                        return auditLog(request);
                    }
                    break;
                default:
                    break;
            }
        }
        if ("POST".equals(method) && path.length == 4 && "errors".equals(resource) && "replay".equals(path[3])) {
            caller.require(Role.OPERATOR, "replay rejected messages");
            String errorId = id(id);
            Map<String, Object> result = replayer.replay(errorId);
            Map<String, List<String>> ids = new LinkedHashMap<>();
            ids.put("error_ids", List.of(errorId));
            ids.put("message_ids", List.of((String) result.get("message_id")));
            audited(caller, request, "errors/{id}/replay", null, ids);
            return result;
        }
        throw new ApiProblem.NotFound("no such resource: " + method + " /api/" + resource + (id == null ? "" : "/{id}"));
    }

    private Object message(Exchange exchange, Caller caller, HttpServerRequest request, String id) throws ApiProblem {
        Map<String, AttributeValue> item = catalog.message(id)
                .orElseThrow(() -> new ApiProblem.NotFound("no message " + id));
        String view = request.getParam("view");
        if (view == null || view.isEmpty() || "record".equals(view)) {
            audited(caller, request, "messages/{id}", "record", Map.of("message_ids", List.of(id)));
            return json(item);
        }
        if ("document".equals(view)) {
            byte[] document = object(item.get("staging_key").s(), null, null);
            audited(caller, request, "messages/{id}", view, Map.of("message_ids", List.of(id)));
            return bytes(exchange, document, "application/json");
        }
        if ("raw".equals(view)) {
            Long offset = number(item, "raw_offset");
            Long length = number(item, "raw_length");
            byte[] raw = object(item.get("raw_key").s(), offset, length);
            audited(caller, request, "messages/{id}", view, Map.of("message_ids", List.of(id)));
            return bytes(exchange, raw, HL7_V2);
        }
        throw new ApiProblem.BadRequest("view must be record, document or raw");
    }

    private Object messages(Exchange exchange, Caller caller, HttpServerRequest request) throws ApiProblem {
        int limit = limit(request);
        String token = request.getParam("page_token");
        String patient = param(request, "patient");
        String identifier = param(request, "identifier");
        String sender = param(request, "sender");
        String controlId = param(request, "control_id");
        String structure = param(request, "structure");
        int selectors = (patient != null ? 1 : 0) + (identifier != null ? 1 : 0) + (controlId != null ? 1 : 0)
                + (structure != null ? 1 : 0);
        if (selectors > 1) {
            throw new ApiProblem.BadRequest("give one of patient, identifier, sender with control_id, structure (or none: by time)");
        }
        CatalogReader.Page page;
        if (identifier != null) {
            Set<String> uuids = catalog.patientsOf(identifier);
            if (uuids.isEmpty()) {
                page = new CatalogReader.Page(List.of(), null);
            } else {
                patient = uuids.iterator().next();
                page = catalog.partition(tables.messages(), CatalogTables.PATIENT_INDEX, "patient_uuid", patient,
                        span(request), limit, token);
            }
        } else if (patient != null) {
            page = catalog.partition(tables.messages(), CatalogTables.PATIENT_INDEX, "patient_uuid", id(patient),
                    span(request), limit, token);
        } else if (controlId != null) {
            String[] app = sender == null ? new String[0] : sender.split("\\|", -1);
            if (app.length != 2) {
                throw new ApiProblem.BadRequest("control_id needs sender=<MSH-3>|<MSH-4> (sending application|facility)");
            }
            page = catalog.partition(tables.messages(), CatalogTables.CONTROL_INDEX, "sender_control",
                    hl7lake.catalog.CatalogLimits.key(MessageRecord.senderControl(app[0], app[1], controlId)),
                    span(request), limit, token);
        } else if (sender != null) {
            throw new ApiProblem.BadRequest("sender is given with control_id");
        } else if (structure != null) {
            page = catalog.partition(tables.messages(), CatalogTables.STRUCTURE_INDEX, "structure", structure,
                    span(request), limit, token);
        } else {
            LocalDate[] days = days(request, MAX_DAYS);
            page = catalog.days(tables.messages(), days[0], days[1], span(request), limit, token, null, null);
        }
        List<String> ids = page.items().stream().map(item -> item.get("message_id").s()).toList();
        if (!ids.isEmpty()) {
            audited(caller, request, "messages", null, Map.of("message_ids", ids));
        }
        return list(page, Api::summary);
    }

    private Object patient(Exchange exchange, Caller caller, HttpServerRequest request, String uuid) throws ApiProblem {
        List<Map<String, AttributeValue>> identifiers = catalog.identifiers(uuid);
        if (identifiers.isEmpty()) {
            throw new ApiProblem.NotFound("no patient " + uuid);
        }
        CatalogReader.Page messages = catalog.partition(tables.messages(), CatalogTables.PATIENT_INDEX, "patient_uuid",
                uuid, span(request), limit(request), request.getParam("page_token"));
        Map<String, Object> reply = patientJson(uuid, identifiers);
        List<String> ids = messages.items().stream().map(item -> item.get("message_id").s()).toList();
        reply.put("messages", messages.items().stream().map(Api::summary).toList());
        if (messages.next() != null) {
            reply.put("next_page_token", messages.next());
        }
        Map<String, List<String>> audited = new LinkedHashMap<>();
        audited.put("patient_uuids", List.of(uuid));
        audited.put("message_ids", ids);
        audited(caller, request, "patients/{uuid}", null, audited);
        return reply;
    }

    private Object patients(Exchange exchange, Caller caller, HttpServerRequest request) throws ApiProblem {
        String identifier = param(request, "identifier");
        if (identifier == null) {
            throw new ApiProblem.BadRequest("identifier=<authority>#<type>#<id> is required");
        }
        List<Object> patients = new ArrayList<>();
        List<String> uuids = new ArrayList<>(catalog.patientsOf(identifier));
        for (String uuid : uuids) {
            patients.add(patientJson(uuid, catalog.identifiers(uuid)));
        }
        if (!uuids.isEmpty()) {
            audited(caller, request, "patients", null, Map.of("patient_uuids", uuids));
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", patients);
        return reply;
    }

    private Object errors(HttpServerRequest request) throws ApiProblem {
        LocalDate[] days = days(request, MAX_DAYS);
        String code = param(request, "code");
        AttributeValue codeValue = null;
        if (code != null) {
            if (!code.matches("\\d{1,4}")) {
                throw new ApiProblem.BadRequest("code is an HL7 table 0357 code, a number");
            }
            codeValue = AttributeValue.fromN(Integer.toString(Integer.parseInt(code)));
        }
        return list(catalog.days(tables.errors(), days[0], days[1], span(request), limit(request),
                request.getParam("page_token"), code == null ? null : "code", codeValue), Api::json);
    }

    private Object error(Exchange exchange, Caller caller, HttpServerRequest request, String id) throws ApiProblem {
        Map<String, AttributeValue> item = catalog.error(id).orElseThrow(() -> new ApiProblem.NotFound("no error " + id));
        String view = request.getParam("view");
        if (view == null || view.isEmpty() || "record".equals(view)) {
            return json(item);
        }
        if ("raw".equals(view)) {
            byte[] raw = object(item.get("error_key").s(), null, null);
            audited(caller, request, "errors/{id}", view, Map.of("error_ids", List.of(id)));
            return bytes(exchange, raw, HL7_V2);
        }
        throw new ApiProblem.BadRequest("view must be record or raw");
    }

    /**
     * Messages (accepted) and errors (rejected) per day, door and outcome, newest day first; with
     * {@code by=hour} each day also per hour ({@code yyyy-mm-ddThh}, UTC). The day partitions' keys only.
     */
    private Object counts(HttpServerRequest request) throws ApiProblem {
        LocalDate[] days = days(request, MAX_COUNT_DAYS);
        String by = param(request, "by");
        if (by != null && !"day".equals(by) && !"hour".equals(by)) {
            throw new ApiProblem.BadRequest("by is day or hour");
        }
        boolean hourly = "hour".equals(by);
        List<Object> result = new ArrayList<>();
        for (LocalDate day = days[1]; !day.isBefore(days[0]); day = day.minusDays(1)) {
            Map<String, Map<String, Integer>> doors = new TreeMap<>();
            Map<String, Map<String, Map<String, Integer>>> hours = new TreeMap<>();
            count(catalog.dayDoors(tables.messages(), day), "accepted", doors, hours);
            count(catalog.dayDoors(tables.errors(), day), "rejected", doors, hours);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("day", day.toString());
            entry.put("doors", doors);
            if (hourly) {
                List<Object> perHour = new ArrayList<>();
                hours.forEach((hour, byDoor) -> {
                    Map<String, Object> h = new LinkedHashMap<>();
                    h.put("hour", hour);
                    h.put("doors", byDoor);
                    perHour.add(h);
                });
                entry.put("hours", perHour);
            }
            result.add(entry);
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("days", result);
        return reply;
    }

    private static void count(List<CatalogReader.DoorTime> items, String outcome, Map<String, Map<String, Integer>> doors,
                              Map<String, Map<String, Map<String, Integer>>> hours) {
        for (CatalogReader.DoorTime item : items) {
            doors.computeIfAbsent(item.door(), d -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
            if (item.hour() != null) {
                hours.computeIfAbsent(item.hour(), h -> new TreeMap<>()).computeIfAbsent(item.door(), d -> new TreeMap<>())
                        .merge(outcome, 1, Integer::sum);
            }
        }
    }

    private Object auditLog(HttpServerRequest request) throws ApiProblem {
        String day = param(request, "day");
        if (day == null || !DAY.matcher(day).matches()) {
            throw new ApiProblem.BadRequest("day=<yyyy-mm-dd> is required");
        }
        AuditLog.Page page = audit.page(date(day, "day"), limit(request), PageTokens.unwrap(request.getParam("page_token")));
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", page.entries());
        if (page.next() != null) {
            reply.put("next_page_token", PageTokens.wrap(page.next()));
        }
        return reply;
    }

    /** 401, 403, 400, 404: the JSON reason, logged without request data. */
    public HttpReply.Problem refused(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception why,
                                     @Header(HTTP_RESPONSE_CODE) int status, Exchange exchange) {
        LOG.info("api {}: {}, {}", remote(exchange), status, why instanceof Unauthorized || why instanceof Forbidden
                || why instanceof ApiProblem ? why.getMessage() : why.getClass().getSimpleName());
        return new HttpReply.Problem(switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            default -> "bad_request";
        }, why.getMessage(), null, null, null, null);
    }

    /** 503: the catalog, the lake or the audit log failed; nothing was answered (and nothing read unaudited). */
    public HttpReply.Problem failed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("api {}: the request could not be handled ({}); answered 503", remote(exchange),
                cause == null ? "?" : cause.getClass().getSimpleName());
        return new HttpReply.Problem("unavailable", "the request could not be handled; try again", null, null, null, null);
    }

    private void audited(Caller caller, HttpServerRequest request, String endpoint, String view,
                         Map<String, List<String>> ids) {
        String auditId = audit.append(caller.subject(), endpoint, view, ids, String.valueOf(request.remoteAddress()),
                request.getHeader("X-Forwarded-For"));
        LOG.info("api {}: {} {} {} by {}, audit {}", request.remoteAddress(), request.method(), endpoint, view == null ? "" : view,
                caller.subject(), auditId);
    }

    private byte[] object(String key, Long offset, Long length) throws ApiProblem.NotFound {
        try {
            return s3.getObjectAsBytes(b -> {
                b.bucket(bucket).key(key);
                if (offset != null && length != null) {
                    b.range("bytes=" + offset + "-" + (offset + length - 1));
                }
            }).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new ApiProblem.NotFound("the lake has no object for this record");
        }
    }

    private static Object bytes(Exchange exchange, byte[] body, String contentType) {
        exchange.getMessage().setHeader(HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        return body;
    }

    private static Map<String, Object> list(CatalogReader.Page page, Function<Map<String, AttributeValue>, Map<String, Object>> entry) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", page.items().stream().map(entry).toList());
        if (page.next() != null) {
            reply.put("next_page_token", page.next());
        }
        return reply;
    }

    private static Map<String, Object> patientJson(String uuid, List<Map<String, AttributeValue>> identifiers) {
        Map<String, Object> patient = new LinkedHashMap<>();
        patient.put("patient_uuid", uuid);
        patient.put("identifiers", identifiers.stream().map(item -> item.containsKey("local_id_value")
                ? item.get("local_id_value").s() : item.get("local_id").s()).toList());
        return patient;
    }

    /**
     * A message as a list gives it: its {@link CatalogTables#MESSAGE_SUMMARY}, what the messages table's indexes
     * hold (an index an older version made holds whole items: the same summary is given).
     */
    static Map<String, Object> summary(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> summary = new HashMap<>();
        for (String name : CatalogTables.MESSAGE_SUMMARY) {
            AttributeValue value = item.get(name);
            if (value != null) {
                summary.put(name, value);
            }
        }
        return json(summary);
    }

    /** A catalog item as JSON: strings, numbers, booleans and string sets as themselves. */
    static Map<String, Object> json(Map<String, AttributeValue> item) {
        Map<String, Object> json = new TreeMap<>();
        item.forEach((name, value) -> {
            if (value.s() != null) {
                json.put(name, value.s());
            } else if (value.n() != null) {
                json.put(name, new java.math.BigDecimal(value.n()));
            } else if (value.bool() != null) {
                json.put(name, value.bool());
            } else if (value.hasSs()) {
                json.put(name, value.ss());
            }
        });
        return json;
    }

    private static Long number(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Long.valueOf(item.get(name).n()) : null;
    }

    private static String id(String value) throws ApiProblem.BadRequest {
        if (!ID.matcher(value).matches()) {
            throw new ApiProblem.BadRequest("an id is a UUID");
        }
        try {
            return UUID.fromString(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiProblem.BadRequest("an id is a UUID");
        }
    }

    private static String param(HttpServerRequest request, String name) {
        String value = request.getParam(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static int limit(HttpServerRequest request) throws ApiProblem.BadRequest {
        String value = param(request, "limit");
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiProblem.BadRequest("limit is a number from 1 to " + MAX_LIMIT);
    }

    /** from/to as received_at bounds: a day (the whole day) or an ISO-8601 instant; absent: unbounded. */
    private static CatalogReader.Span span(HttpServerRequest request) throws ApiProblem.BadRequest {
        String from = param(request, "from");
        String to = param(request, "to");
        String lower = from == null ? "0" : DAY.matcher(from).matches() ? date(from, "from").toString() : instant(from, "from");
        String upper = to == null ? "~" : DAY.matcher(to).matches() ? date(to, "to") + "T~" : instant(to, "to");
        if (lower.compareTo(upper) > 0) {
            throw new ApiProblem.BadRequest("from is after to");
        }
        return new CatalogReader.Span(lower, upper);
    }

    /** The days a by-time list walks: from/to (default: today), at most {@code max}. */
    private LocalDate[] days(HttpServerRequest request, int max) throws ApiProblem.BadRequest {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String from = param(request, "from");
        String to = param(request, "to");
        LocalDate last = to == null ? today : day(to, "to");
        LocalDate first = from == null ? last : day(from, "from");
        if (first.isAfter(last)) {
            throw new ApiProblem.BadRequest("from is after to");
        }
        if (ChronoUnit.DAYS.between(first, last) >= max) {
            throw new ApiProblem.BadRequest("from and to are at most " + max + " days apart");
        }
        return new LocalDate[] {first, last};
    }

    private static LocalDate day(String value, String name) throws ApiProblem.BadRequest {
        return DAY.matcher(value).matches() ? date(value, name)
                : LocalDate.ofInstant(Instant.parse(instant(value, name)), ZoneOffset.UTC);
    }

    private static LocalDate date(String value, String name) throws ApiProblem.BadRequest {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiProblem.BadRequest(name + " is a day (yyyy-mm-dd) or an instant (ISO-8601, UTC)");
        }
    }

    private static String instant(String value, String name) throws ApiProblem.BadRequest {
        try {
            return Instant.parse(value).toString();
        } catch (DateTimeParseException e) {
            throw new ApiProblem.BadRequest(name + " is a day (yyyy-mm-dd) or an instant (ISO-8601, UTC)");
        }
    }

    private static HttpServerRequest request(Exchange exchange) {
        if (exchange.getMessage() instanceof HttpMessage http) {
            return http.getRequest();
        }
        throw new IllegalStateException("not an HTTP request of platform-http");
    }

    private static Object remote(Exchange exchange) {
        return exchange.getMessage() instanceof HttpMessage http ? http.getRequest().remoteAddress() : "?";
    }
}
