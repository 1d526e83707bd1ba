package hl7lake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * Generated requests against one running engine (issue 12's HTTP ring): content types, bodies,
 * methods, paths, headers and query parameters with generated names, tokens in odd places. Whatever
 * comes, the status is one README documents (never 500), every refusal has a JSON body, no response
 * header carries anything the request sent, and nothing of a body reaches the log.
 */
class HttpPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> DOCUMENTED = Set.of(200, 400, 401, 404, 405, 413, 415, 431, 503);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static PrintStream originalErr;
    private static Engine engine;
    private static String base;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        originalErr = System.err;
        // slf4j-simple writes to System.err as it is at each line: a tee keeps what the engine logs
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (LOG) {
                    LOG.write(b);
                }
                originalErr.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (LOG) {
                    LOG.write(b, off, len);
                }
                originalErr.write(b, off, len);
            }
        }, true));
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false"));
        base = "http://127.0.0.1:" + settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        token = engine.issuer().token("prop", Duration.ofMinutes(30), false);
    }

    @AfterAll
    static void stop() {
        engine.close();
        System.setErr(originalErr);
    }

    private static String log() {
        synchronized (LOG) {
            return LOG.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** One generated request; {@code marker} is in the body (a patient name) and nowhere else. */
    record Req(String method, String path, String contentType, int body, int tokenPlace, List<String> headerNames,
               List<String> queryNames, String marker, String controlId) {

        String message(String terminator) {
            return "MSH|^~\\&|PROP|FAC|HL7LAKE|LAKE|20261127120000||ADT^A08^ADT_A01|" + controlId + "|P|2.5" + terminator
                    + "EVN|A08|20261127120000" + terminator + "PID|1||" + controlId + "^^^FAC^MR||" + marker + "^PATIENT||19800101|F"
                    + terminator + "PV1|1|O" + terminator;
        }

        byte[] bytes() {
            String er7 = message("\r");
            return switch (body) {
                case 0 -> er7.getBytes(StandardCharsets.ISO_8859_1);
                case 1 -> message("\r\n").getBytes(StandardCharsets.ISO_8859_1);
                case 2 -> Base64.getEncoder().encode(er7.getBytes(StandardCharsets.ISO_8859_1));
                case 3 -> ("{\"msg\":\"" + Base64.getEncoder().encodeToString(er7.getBytes(StandardCharsets.ISO_8859_1))
                        + "\",\"segTerm\":[\"\\r\"]}").getBytes(StandardCharsets.US_ASCII);
                case 4 -> ("msg=" + URLEncoder.encode(er7, StandardCharsets.UTF_8) + "&Set-Cookie=" + marker
                        + (tokenPlace == 5 ? "&Authorization=" + URLEncoder.encode("Bearer " + token, StandardCharsets.UTF_8) : ""))
                        .getBytes(StandardCharsets.US_ASCII);
                case 5 -> ("--XyZ\r\nContent-Disposition: form-data; name=\"Location\"\r\n\r\n" + er7 + "\r\n--XyZ--\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                case 6 -> ("{\"msg\": \"" + marker + " not base64 %%% " + er7.replace("\r", " ") + "\"}").getBytes(StandardCharsets.ISO_8859_1);
                case 7 -> ("garbage " + marker + " \u0000\u00ff\r\n" + marker).getBytes(StandardCharsets.ISO_8859_1);
                case 8 -> ("BHS|^~\\&|PROP\r" + er7 + message("\n").replace(controlId, controlId + "B") + "BTS|2\r")
                        .getBytes(StandardCharsets.ISO_8859_1);
                default -> new byte[0];
            };
        }

        String authorization() {
            return switch (tokenPlace) {
                case 0 -> "Bearer " + token;
                case 1 -> token;
                case 4 -> "Bearer " + marker + "." + marker + "." + marker;
                case 6 -> "Bearer " + token + "x".repeat(9000);
                default -> null;
            };
        }

        String query() {
            List<String> pairs = new ArrayList<>();
            for (String name : queryNames) {
                pairs.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + value(name));
            }
            if (tokenPlace == 2) {
                pairs.add("Authorization=" + URLEncoder.encode("Bearer " + token, StandardCharsets.UTF_8));
            }
            return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
        }

        static String value(String name) {
            return "val" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") + "q";
        }
    }

    private static Gen<String> names() {
        Gen<String> generated = strings().betweenCodePoints('a', 'z').ofLengthBetween(6, 14).map(s -> "Xq-" + s);
        Gen<String> dangerous = Generate.pick(List.of("Location", "Set-Cookie", "Content-Type", "Authorization",
                "Access-Control-Allow-Origin", "Refresh", "Retry-After", "WWW-Authenticate", "CamelHttpResponseCode",
                "Content-Length", "Transfer-Encoding"));
        return integers().between(0, 2).flatMap(i -> i == 0 ? dangerous : generated);
    }

    private static Gen<Req> requests() {
        Gen<String> method = Generate.pick(List.of("POST", "POST", "POST", "POST", "GET", "PUT", "DELETE"));
        Gen<String> path = Generate.pick(List.of("/hl7v2/er7", "/hl7v2/er7", "/hl7v2/er7", "/hl7v2/er7", "/observe/health",
                "/observe/metrics", "/nothing-here", "/hl7v2/er7/more"));
        Gen<String> contentType = Generate.pick(java.util.Arrays.asList(null, "application/hl7-v2",
                "application/hl7-v2; charset=ISO-8859-1", "x-application/hl7-v2+er7", "application/json", "text/plain",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ", "application/xml",
                "application/hl7-v2; charset=no-such-charset", "*/*", "not a type at all"));
        Gen<Integer> body = integers().between(0, 9);
        Gen<Integer> tokenPlace = integers().between(0, 6);
        Gen<List<String>> headerNames = lists().of(names()).ofSizeBetween(0, 3);
        Gen<List<String>> queryNames = lists().of(names()).ofSizeBetween(0, 3);
        Gen<String> marker = strings().betweenCodePoints('A', 'Z').ofLength(12).map(s -> "QMK" + s);
        Gen<Integer> control = integers().between(0, 999_999_999);
        Gen<Integer> longControl = integers().between(0, 9); // one in ten: a control id of 600 characters
        return in -> new Req(method.generate(in), path.generate(in), contentType.generate(in), body.generate(in),
                tokenPlace.generate(in), headerNames.generate(in), queryNames.generate(in), marker.generate(in),
                "PROP" + control.generate(in) + (longControl.generate(in) == 0 ? "L".repeat(600) : ""));
    }

    private static HttpResponse<String> send(Req req) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + req.path() + req.query()))
                .timeout(Duration.ofSeconds(30)).method(req.method(), HttpRequest.BodyPublishers.ofByteArray(req.bytes()));
        if (req.contentType() != null) {
            request.header("Content-Type", req.contentType());
        }
        if (req.authorization() != null) {
            request.header("Authorization", req.authorization());
        }
        for (String name : req.headerNames()) {
            if (!Set.of("content-type", "authorization", "content-length", "transfer-encoding")
                    .contains(name.toLowerCase(Locale.ROOT))) {
                request.header(name, Req.value(name));
            }
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void every_generated_request_gets_a_documented_status_a_json_refusal_no_echo_and_no_body_in_the_log() {
        List<String> markers = new ArrayList<>();
        Set<Integer> seen = new java.util.TreeSet<>();
        qt().withExamples(250).withFixedSeed(20261127L).withShrinkCycles(0).forAll(requests()).checkAssert(req -> {
            markers.add(req.marker());
            HttpResponse<String> response;
            try {
                response = send(req);
            } catch (Exception e) {
                throw new AssertionError("no answer to " + req, e);
            }
            int status = response.statusCode();
            seen.add(status);
            assertThat(status).as("%s -> %s", req, response.body()).isIn(DOCUMENTED);
            if (status >= 400 && !req.path().equals("/observe/health")) {
                assertThat(response.headers().firstValue("Content-Type")).as("%s -> %s", req, status)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
                JsonNode body;
                try {
                    body = JSON.readTree(response.body());
                } catch (Exception e) {
                    throw new AssertionError(req + " -> " + status + " not JSON: " + response.body(), e);
                }
                assertThat(body.path("status").asText()).as("%s -> %s", req, response.body()).isNotBlank();
                assertThat(body.path("reason").asText("")).doesNotContain(req.marker());
            }
            List<String> sent = new ArrayList<>(req.headerNames());
            sent.addAll(req.queryNames());
            for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                assertThat(name).as("%s -> %s", req, response.headers().map()).doesNotStartWith("xq-")
                        .isNotIn("location", "set-cookie", "refresh", "access-control-allow-origin", "authorization",
                                "camelhttpresponsecode");
                for (String value : header.getValue()) {
                    assertThat(value).as("%s: header %s", req, name).doesNotContain(req.marker()).doesNotContain("valxq")
                            .doesNotContain(token.substring(0, 20));
                    for (String s : sent) {
                        assertThat(value).doesNotContain(Req.value(s));
                    }
                }
            }
            String log = log();
            assertThat(log).as("the log after %s", req).doesNotContain(req.marker());
            if (req.controlId().length() > hl7lake.ingest.LogText.MAX) {
                assertThat(log).as("a long control id is capped in the log").doesNotContain(req.controlId());
            }
        });
        assertThat(seen).as("the generator reaches every kind of answer").contains(200, 400, 401, 404, 405, 415, 431);
        String log = log();
        for (String marker : markers) {
            assertThat(log).as("nothing of a body in the log").doesNotContain(marker);
        }
        assertThat(log).doesNotContain("PATIENT").doesNotContain("\tat ");
        assertThat(log.lines().mapToInt(String::length).max().orElse(0)).as("the longest log line").isLessThan(1000);
    }
}
