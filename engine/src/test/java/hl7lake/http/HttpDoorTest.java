package hl7lake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP door against a running engine on its embedded lake, with a JWKS served by a server this
 * test controls (as Cognito's would be): what each body form and each kind of token gets, and what
 * lands in the lake and the catalog.
 */
class HttpDoorTest {

    private static final String ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";
    private static final String CLIENT = "test-client";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RSAKey key;
    private static final AtomicReference<JWKSet> served = new AtomicReference<>();
    private static final AtomicInteger fetches = new AtomicInteger();
    private static final AtomicLong lastFetchNanos = new AtomicLong();
    private static HttpServer jwks;
    private static Engine engine;
    private static URI door;
    private static S3Client s3;
    private static DynamoDbClient dynamo;
    private static MessageIndex index;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        key = newKey();
        served.set(new JWKSet(key.toPublicJWK()));
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            lastFetchNanos.set(System.nanoTime());
            byte[] body = served.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        jwks.start();
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.http.auth.issuer", ISSUER, "hl7lake.http.auth.client-id", CLIENT,
                "hl7lake.http.auth.jwks-url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json",
                "hl7lake.http.auth.jwks-refetch-seconds", "1", "hl7lake.http.max-message-bytes", "65536"));
        door = URI.create("http://127.0.0.1:" + settings.number("hl7lake.http.port") + "/hl7v2/er7");
        engine = Engine.start(settings);
        assertThat(engine.issuer()).as("an issuer is configured: no local issuer").isNull();
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        index = new MessageIndex(dynamo, new CatalogTables("hl7lake-"));
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
        jwks.stop(0);
    }

    static RSAKey newKey() throws Exception {
        return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID(UUID.randomUUID().toString()).generate();
    }

    static String adt(String controlId) {
        return "MSH|^~\\&|HTTPTEST|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|" + controlId + "|P|2.5\r"
                + "EVN|A08|20261123101500\rPID|1||MRN-" + controlId + "^^^FAC^MR||TESTPATIENT^HTTP||19800101|F\rPV1|1|O\r";
    }

    static int cataloged(String controlId) {
        return index.bySenderControl(MessageRecord.senderControl("HTTPTEST", "FAC", controlId)).size();
    }

    static JWTClaimsSet.Builder accessClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("user-1").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600))).claim("token_use", "access").claim("client_id", CLIENT)
                .claim("cognito:groups", List.of("sender"));
    }

    static String sign(RSAKey with, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    static String token() throws Exception {
        return sign(key, accessClaims().build());
    }

    static HttpResponse<String> post(String authorization, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(door).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postEr7(String message) throws Exception {
        return post("Bearer " + token(), "application/hl7-v2", message.getBytes(StandardCharsets.ISO_8859_1));
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    static String base64(String message) {
        return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertAcceptedAndStored(HttpResponse<String> response, String controlId) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("status").asText()).isEqualTo("accepted");
        assertThat(body.get("control_id").asText()).isEqualTo(controlId);
        assertThat(body.get("ack").asText()).contains("MSA|AA|" + controlId);
        s3.headObject(b -> b.bucket("hl7lake").key(body.get("staging_key").asText()));
        assertThat(cataloged(controlId)).isEqualTo(1);
    }

    @Test
    void the_blogs_envelope_with_segterm_and_a_token_without_bearer_is_accepted() throws Exception {
        String message = adt("ENV-1").replace("\r", "\r\n");
        String envelope = "{\"msg\":\"" + base64(message) + "\",\"encoding\":\"utf-8\",\"segTerm\":[\"\\r\\n\",\"\\n\"]}";
        assertAcceptedAndStored(post(token(), "application/json", envelope.getBytes(StandardCharsets.UTF_8)), "ENV-1");
    }

    @Test
    void a_bare_base64_body_is_accepted() throws Exception {
        assertAcceptedAndStored(post("Bearer " + token(), "text/plain", base64(adt("B64-1")).getBytes(StandardCharsets.US_ASCII)),
                "B64-1");
    }

    @Test
    void raw_er7_is_accepted_under_both_content_types_with_the_charset_parameter_honoured() throws Exception {
        assertAcceptedAndStored(postEr7(adt("RAW-1")), "RAW-1");
        String latin1 = adt("RAW-2").replace("TESTPATIENT^HTTP", "M\u00dcLLER^J\u00d6RG");
        HttpResponse<String> response = post("Bearer " + token(), "x-application/hl7-v2+er7; charset=ISO-8859-1",
                latin1.getBytes(StandardCharsets.ISO_8859_1));
        assertAcceptedAndStored(response, "RAW-2");
        String stagingKey = readStagingKey(response);
        ResponseBytes<?> document = s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(stagingKey));
        assertThat(document.asUtf8String()).contains("M\u00dcLLER").contains("\"charset\"");
    }

    private static String readStagingKey(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("staging_key").asText();
    }

    @Test
    void id_and_access_tokens_for_this_client_are_accepted() throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet id = new JWTClaimsSet.Builder().issuer(ISSUER).subject("user-2").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600))).claim("token_use", "id").audience(CLIENT)
                .claim("cognito:groups", List.of("sender")).build();
        assertThat(post("Bearer " + sign(key, id), "application/hl7-v2", adt("IDTOKEN-1").getBytes(StandardCharsets.US_ASCII))
                .statusCode()).isEqualTo(200);
        assertThat(postEr7(adt("ACCESSTOKEN-1")).statusCode()).isEqualTo(200);
    }

    @Test
    void a_valid_token_without_the_sender_role_is_forbidden_and_nothing_is_stored() throws Exception {
        for (List<String> groups : List.of(List.<String>of(), List.of("reader", "operator"), List.of("Sender", "admins"))) {
            String controlId = "NOSENDER-" + groups.size() + "-" + UUID.randomUUID().toString().substring(0, 8);
            HttpResponse<String> response = post("Bearer " + sign(key, accessClaims().claim("cognito:groups", groups).build()),
                    "application/hl7-v2", adt(controlId).getBytes(StandardCharsets.US_ASCII));
            assertThat(response.statusCode()).as("groups %s", groups).isEqualTo(403);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("status").asText()).isEqualTo("forbidden");
            assertThat(body.get("reason").asText()).contains("sender");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
            assertThat(cataloged(controlId)).isZero();
        }
        String sender = sign(key, accessClaims().claim("cognito:groups", List.of("reader", "sender")).build());
        assertThat(post("Bearer " + sender, "application/hl7-v2", adt("WITHSENDER-1").getBytes(StandardCharsets.US_ASCII))
                .statusCode()).isEqualTo(200);
    }

    static Stream<Arguments> refusedTokens() throws Exception {
        RSAKey other = newKey();
        Instant now = Instant.now();
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("no Authorization header", (Object) null));
        cases.add(Arguments.of("a malformed token", "Bearer not.a.jwt"));
        cases.add(Arguments.of("expired", sign(key, accessClaims().issueTime(Date.from(now.minusSeconds(7200)))
                .expirationTime(Date.from(now.minusSeconds(3600))).build())));
        cases.add(Arguments.of("not yet valid", sign(key, accessClaims().notBeforeTime(Date.from(now.plusSeconds(3600))).build())));
        cases.add(Arguments.of("wrong issuer", sign(key, accessClaims().issuer("https://elsewhere.example").build())));
        cases.add(Arguments.of("ID token for another audience", sign(key, accessClaims().claim("token_use", "id")
                .claim("client_id", null).audience("another-client").build())));
        cases.add(Arguments.of("access token for another client_id", sign(key, accessClaims().claim("client_id", "another").build())));
        cases.add(Arguments.of("wrong token_use", sign(key, accessClaims().claim("token_use", "refresh").build())));
        cases.add(Arguments.of("alg none", new PlainJWT(accessClaims().build()).serialize()));
        SignedJWT hs256 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                accessClaims().build());
        hs256.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
        cases.add(Arguments.of("HS256 signed with the RSA public key", hs256.serialize()));
        RSAKey unknownKid = new RSAKey.Builder(other).keyID("kid-nobody-serves").build();
        cases.add(Arguments.of("an unknown kid", sign(unknownKid, accessClaims().build())));
        String[] parts = token().split("\\.");
        String changed = Base64URL.encode(accessClaims().subject("admin").build().toString()).toString();
        cases.add(Arguments.of("payload changed after signing", parts[0] + "." + changed + "." + parts[2]));
        RSAKey sameKidOtherKey = new RSAKey.Builder(other).keyID(key.getKeyID()).build();
        cases.add(Arguments.of("a key from another JWKS (same kid)", sign(sameKidOtherKey, accessClaims().build())));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void each_bad_token_gets_401_with_a_challenge_and_nothing_is_stored(String name, String authorization) throws Exception {
        String control = "REFUSED-" + name.replaceAll("[^A-Za-z0-9]", "");
        HttpResponse<String> response = post(authorization, "application/hl7-v2", adt(control).getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(response).get("status").asText()).isEqualTo("unauthorized");
        assertThat(cataloged(control)).isZero();
    }

    @Test
    void after_a_key_rotation_the_new_kid_is_accepted_after_one_refetch() throws Exception {
        assertThat(postEr7(adt("ROTATE-0")).statusCode()).isEqualTo(200);
        RSAKey rotated = newKey();
        served.set(new JWKSet(List.of(rotated.toPublicJWK(), key.toPublicJWK())));
        // the JWKS may be fetched at most once a second (hl7lake.http.auth.jwks-refetch-seconds)
        await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - lastFetchNanos.get() > 1_500_000_000L);
        int before = fetches.get();
        HttpResponse<String> response = post("Bearer " + sign(rotated, accessClaims().build()), "application/hl7-v2",
                adt("ROTATE-1").getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(fetches.get() - before).isEqualTo(1);
        assertThat(postEr7(adt("ROTATE-2")).statusCode()).as("the old key is still served").isEqualTo(200);
        assertThat(fetches.get() - before).as("no fetch for a known kid").isEqualTo(1);
    }

    @Test
    void an_invalid_message_gets_400_with_code_location_and_its_error_record() throws Exception {
        String noControlId = adt("X").replace("|X|P|", "||P|");
        HttpResponse<String> response = postEr7(noControlId);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = json(response);
        assertThat(body.get("status").asText()).isEqualTo("rejected");
        assertThat(body.get("code").asInt()).isEqualTo(101);
        assertThat(body.get("location").asText()).isEqualTo("MSH-10");
        assertThat(body.get("reason").asText()).isNotBlank();
        assertThat(body.get("ack").asText()).contains("MSA|AE");
        assertThat(index.error(body.get("error_id").asText())).isPresent();
        s3.headObject(b -> b.bucket("hl7lake").key(body.get("error_key").asText()));
    }

    @Test
    void oversize_is_413_unknown_and_form_content_types_are_415_an_empty_body_400_all_json() throws Exception {
        String huge = adt("HUGE-1") + "NTE|1||" + "x".repeat(70_000) + "\r";
        HttpResponse<String> tooLarge = postEr7(huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(json(tooLarge).get("reason").asText()).contains("65536");
        HttpResponse<String> form = post("Bearer " + token(), "application/x-www-form-urlencoded",
                ("msg=" + base64(adt("FORM-1"))).getBytes(StandardCharsets.US_ASCII));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
        assertThat(json(form).get("reason").asText()).contains("application/x-www-form-urlencoded");
        assertThat(post("Bearer " + token(), "application/xml", "<x/>".getBytes(StandardCharsets.US_ASCII)).statusCode()).isEqualTo(415);
        assertThat(post("Bearer " + token(), "text/plain", "not base64 !".getBytes(StandardCharsets.US_ASCII)).statusCode()).isEqualTo(400);
        assertThat(post("Bearer " + token(), "application/json", "{\"nomsg\":1}".getBytes(StandardCharsets.US_ASCII)).statusCode())
                .isEqualTo(400);
        assertThat(cataloged("HUGE-1") + cataloged("FORM-1")).isZero();
    }

    @Test
    void storage_down_is_503_with_retry_after_then_200_once_and_a_resend_is_a_duplicate() throws Exception {
        engine.local().stopS3();
        try {
            HttpResponse<String> down = postEr7(adt("DOWN-1"));
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(down).get("ack").asText()).contains("MSA|AR");
            assertThat(cataloged("DOWN-1")).isZero();
        } finally {
            engine.local().startS3();
        }
        assertAcceptedAndStored(postEr7(adt("DOWN-1")), "DOWN-1");
        HttpResponse<String> again = postEr7(adt("DOWN-1"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("duplicate").asBoolean()).isTrue();
        assertThat(cataloged("DOWN-1")).isEqualTo(1);
    }

    @Test
    void a_batch_body_gets_a_result_per_message() throws Exception {
        String batch = "BHS|^~\\&|HTTPTEST|FAC\r" + adt("BATCH-1") + adt("BATCH-2").replace("|BATCH-2|P|", "||P|")
                + adt("BATCH-3") + "BTS|3\r";
        HttpResponse<String> response = postEr7(batch);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("messages").asInt()).isEqualTo(3);
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        assertThat(body.get("rejected").asInt()).isEqualTo(1);
        List<String> statuses = new ArrayList<>();
        body.get("results").forEach(r -> statuses.add(r.get("status").asText()));
        assertThat(statuses).containsExactly("accepted", "rejected", "accepted");
        assertThat(cataloged("BATCH-1") + cataloged("BATCH-3")).isEqualTo(2);
    }

    @Test
    void two_hundred_concurrent_posts_from_twenty_clients_are_all_answered_and_cataloged_once() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                int client = c;
                results.add(clients.submit(() -> {
                    HttpClient own = HttpClient.newHttpClient(); // a keep-alive connection per client
                    List<Integer> codes = new ArrayList<>();
                    for (int m = 0; m < 10; m++) {
                        codes.add(own.send(HttpRequest.newBuilder(door).header("Authorization", "Bearer " + token())
                                .header("Content-Type", "application/hl7-v2")
                                .POST(HttpRequest.BodyPublishers.ofString(adt("LOAD-" + client + "-" + m))).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode());
                    }
                    return codes;
                }));
            }
            for (Future<List<Integer>> result : results) {
                assertThat(result.get(120, TimeUnit.SECONDS)).containsOnly(200).hasSize(10);
            }
        } finally {
            clients.shutdownNow();
        }
        for (int c = 0; c < 20; c++) {
            for (int m = 0; m < 10; m++) {
                assertThat(cataloged("LOAD-" + c + "-" + m)).isEqualTo(1);
            }
        }
    }

    // --- raw fidelity (issue 12 B8) -----------------------------------------------------------------

    private static byte[] rawOf(JsonNode result) {
        String rawKey = index.message(result.get("message_id").asText()).orElseThrow().get("raw_key").s();
        return s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(rawKey)).asByteArray();
    }

    @Test
    void the_raw_object_holds_exactly_the_bytes_received_for_each_body_form() throws Exception {
        byte[] crlf = adt("EXACT-1").replace("\r", "\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> er7 = post("Bearer " + token(), "application/hl7-v2", crlf);
        assertThat(er7.statusCode()).as(er7.body()).isEqualTo(200);
        assertThat(rawOf(json(er7))).as("ER7 with CRLF and a final CRLF").isEqualTo(crlf);

        byte[] noFinal = adt("EXACT-2").replaceAll("\r$", "").getBytes(StandardCharsets.US_ASCII);
        assertThat(rawOf(json(post("Bearer " + token(), "application/hl7-v2", noFinal)))).as("no final CR").isEqualTo(noFinal);

        byte[] lf = adt("EXACT-3").replace("\r", "\n").getBytes(StandardCharsets.US_ASCII);
        String envelope = "{\"msg\":\"" + Base64.getEncoder().encodeToString(lf) + "\",\"segTerm\":[\"\\n\"]}";
        HttpResponse<String> json = post("Bearer " + token(), "application/json", envelope.getBytes(StandardCharsets.US_ASCII));
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        assertThat(rawOf(json(json))).as("the envelope: the decoded Base64, LF kept").isEqualTo(lf);

        byte[] text = adt("EXACT-4").replace("\r", "\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(rawOf(json(post("Bearer " + token(), "text/plain",
                Base64.getMimeEncoder().encode(text))))).as("bare Base64, MIME line breaks").isEqualTo(text);

        String first = adt("EXACT-5").replace("\r", "\r\n");
        String second = adt("EXACT-6").replace("\r", "\n").replaceAll("\n$", "");
        String batch = "BHS|^~\\&|HTTPTEST|FAC\r\n" + first + "\r\n" + second + "\nBTS|2\r\n";
        JsonNode results = json(post("Bearer " + token(), "application/hl7-v2", batch.getBytes(StandardCharsets.US_ASCII)));
        assertThat(results.get("accepted").asInt()).as(results.toString()).isEqualTo(2);
        assertThat(new String(rawOf(results.get("results").get(0)), StandardCharsets.US_ASCII)).isEqualTo(first);
        assertThat(new String(rawOf(results.get("results").get(1)), StandardCharsets.US_ASCII)).isEqualTo(second + "\n");
    }

    @Test
    void the_same_message_as_cr_crlf_lf_and_base64_is_one_catalog_entry() throws Exception {
        String message = adt("SAME-1");
        HttpResponse<String> first = postEr7(message);
        assertThat(first.statusCode()).isEqualTo(200);
        String id = json(first).get("message_id").asText();
        for (byte[] form : List.of(message.replace("\r", "\r\n").getBytes(StandardCharsets.US_ASCII),
                message.replaceAll("\r$", "").getBytes(StandardCharsets.US_ASCII),
                message.replace("\r", "\n").getBytes(StandardCharsets.US_ASCII))) {
            JsonNode again = json(post("Bearer " + token(), "application/hl7-v2", form));
            assertThat(again.get("duplicate").asBoolean()).as(again.toString()).isTrue();
            assertThat(again.get("message_id").asText()).isEqualTo(id);
        }
        JsonNode enveloped = json(post("Bearer " + token(), "text/plain",
                base64(message.replace("\r", "\r\n")).getBytes(StandardCharsets.US_ASCII)));
        assertThat(enveloped.get("duplicate").asBoolean()).isTrue();
        assertThat(cataloged("SAME-1")).isEqualTo(1);
    }

    // --- a body that cannot be decoded (issue 12 B9) ---------------------------------------------------

    static Stream<Arguments> undecodable() {
        return Stream.of(Arguments.of("application/json", "{\"msg\": \"TVNIfF5+XCZ8"),
                Arguments.of("application/json", "{\"msg\": \"not base64 at all!\"}"),
                Arguments.of("application/json", "{\"message\": \"TVNI\"}"),
                Arguments.of("application/json", "{\"msg\": \"TVNI\", \"encoding\": \"no-such-charset\"}"),
                Arguments.of("text/plain", "MSH|^~\\&|not|base64"),
                Arguments.of("application/hl7-v2", "BHS|^~\\&|A|B\rBTS|0\r"));
    }

    @ParameterizedTest
    @MethodSource("undecodable")
    void an_undecodable_body_is_400_and_kept_in_the_error_zone_with_its_error_record(String type, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> response = post("Bearer " + token(), type, bytes);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode answer = json(response);
        String errorId = answer.get("error_id").asText();
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> record = index.error(errorId).orElseThrow();
        assertThat(record.get("reason").s()).isEqualTo(answer.get("reason").asText()).isNotBlank();
        assertThat(record.get("code").n()).isEqualTo("102");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(answer.get("error_key").asText())).asByteArray())
                .isEqualTo(bytes);
    }

    // --- request data never comes back in a header (issue 12 C10) --------------------------------------

    @Test
    void query_parameters_form_fields_and_request_headers_are_never_response_headers() throws Exception {
        URI evil = URI.create(door + "?Location=https://evil.example&Set-Cookie=session%3Dstolen&X-Echo=query-echo");
        for (String authorization : new String[] {null, "Bearer " + token()}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(evil).header("X-Echo-Header", "header-echo")
                    .header("Content-Type", "application/hl7-v2")
                    .POST(HttpRequest.BodyPublishers.ofString(adt("ECHO-" + (authorization == null ? 1 : 2))));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isIn(200, 401);
            assertThat(response.headers().map().keySet()).doesNotContainAnyElementsOf(List.of("location", "set-cookie",
                    "x-echo", "x-echo-header", "authorization"));
            assertThat(response.headers().map().values().toString()).doesNotContain("evil", "stolen", "echo");
        }
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(door).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Set-Cookie=session%3Dstolen&Location=https%3A%2F%2Fevil.example"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
        assertThat(json(form).get("reason").asText()).contains("application/x-www-form-urlencoded");
        assertThat(form.headers().map().keySet()).doesNotContain("location", "set-cookie");
    }

    @Test
    void no_content_type_other_paths_and_methods_are_answered_in_json() throws Exception {
        HttpResponse<String> none = post("Bearer " + token(), null, adt("NOTYPE-1").getBytes(StandardCharsets.US_ASCII));
        assertThat(none.statusCode()).as(none.body()).isEqualTo(415);
        assertThat(json(none).get("reason").asText()).contains("Content-Type").contains("has none");
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(door).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(json(get).get("status").asText()).isEqualTo("method_not_allowed");
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(door.resolve("/elsewhere")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(json(other).get("status").asText()).isEqualTo("not_found");
        assertThat(cataloged("NOTYPE-1")).isZero();
    }

    // --- tokens (issue 12 C12) -------------------------------------------------------------------------

    @Test
    void a_token_in_the_query_string_or_a_form_field_counts_for_nothing() throws Exception {
        String query = "?Authorization=" + java.net.URLEncoder.encode("Bearer " + token(), StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(door + query))
                .header("Content-Type", "application/hl7-v2").POST(HttpRequest.BodyPublishers.ofString(adt("QUERYTOKEN-1")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(cataloged("QUERYTOKEN-1")).isZero();
    }

    @Test
    void a_token_without_kid_is_refused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), accessClaims().build());
        jwt.sign(new RSASSASigner(key));
        HttpResponse<String> response = post("Bearer " + jwt.serialize(), "application/hl7-v2",
                adt("NOKID-1").getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("reason").asText()).contains("kid");
        assertThat(cataloged("NOKID-1")).isZero();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"exp", "sub", "token_use", "iat"})
    void a_missing_claim_is_named_in_the_reason(String claim) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(accessClaims().build()).claim(claim, null).build();
        HttpResponse<String> response = post("Bearer " + sign(key, claims), "application/hl7-v2",
                adt("NOCLAIM-1").getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).isEqualTo(401);
        String reason = json(response).get("reason").asText();
        assertThat(reason).contains(claim).doesNotContain("issuer");
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).contains(claim);
    }

    @Test
    void a_token_over_the_header_limit_gets_431_with_a_json_reason() throws Exception {
        String huge = sign(key, accessClaims().claim("padding", "p".repeat(9000)).build());
        HttpResponse<String> response = post("Bearer " + huge, "application/hl7-v2", adt("HUGETOKEN-1").getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).isEqualTo(431);
        assertThat(json(response).get("status").asText()).isEqualTo("too_large");
        assertThat(cataloged("HUGETOKEN-1")).isZero();
    }
}
