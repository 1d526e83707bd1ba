package hl7lake.api;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestHttp;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * The query API yields to ingest (routes/api.yaml, {@link ApiAdmission}): a real engine on its embedded lake
 * with a low rate (2 requests a second while ingesting, 6 requests waiting or running at once),
 * its HTTP door kept busy by two senders, then a burst of API requests over real HTTP: admitted at no more
 * than the rate, the ones past the bound answered 429 with Retry-After and a JSON reason, counted in
 * /observe/metrics. Ingest idle: the same burst all 200 at once. And the settings' bounds.
 */
class ApiYieldTest {

    private static final int RATE = 2;
    private static final int BURST = 10;
    private static final String TODAY = LocalDate.now(ZoneOffset.UTC).toString();

    private static Engine engine;
    private static String base;
    private static String sender;
    private static String reader;
    private static ApiAdmission admission;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                ApiAdmission.RATE, Integer.toString(RATE), ApiAdmission.QUEUE, "6"));
        base = "http://127.0.0.1:" + settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        sender = engine.issuer().token("interface", Duration.ofMinutes(30), false);
        reader = engine.issuer().token("analyst", Duration.ofMinutes(30), false, List.of("reader"));
        admission = engine.camel().getRegistry().lookupByNameAndType("apiAdmission", ApiAdmission.class);
        assertThat(admission.waiting()).isEqualTo(6);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** A request answered: its status, Retry-After, body, and when it was answered after the burst began. */
    private record Answer(int status, String retryAfter, String body, long millis) {
    }

    /** {@code BURST} GETs of the day's errors sent at once; every answer, in the order they came. */
    private static List<Answer> burst() {
        long t0 = System.nanoTime();
        List<CompletableFuture<Answer>> sent = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/errors?from=" + TODAY + "&to=" + TODAY))
                    .header("Authorization", "Bearer " + reader).timeout(Duration.ofSeconds(30)).build();
            sent.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Answer(
                    response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), response.body(),
                    (System.nanoTime() - t0) / 1_000_000)));
        }
        return sent.stream().map(CompletableFuture::join).sorted((a, b) -> Long.compare(a.millis(), b.millis())).toList();
    }

    private static String message(String tag, int i) {
        return "MSH|^~\\&|YIELD|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|" + tag + "-" + i + "|P|2.5\r"
                + "EVN|A08|20261123101500\r"
                + "PID|1||" + tag + "-MRN-" + (i % 50) + "^^^FAC^MR||TESTPATIENT^YIELD^Q||19800101|F\r"
                + "PV1|1|O|CLINIC^^^FAC\r";
    }

    @Test
    void whileIngestIsBusyTheApiIsAdmittedAtTheRateAndTheRestAnswered429() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(2);
        List<Future<?>> feeding = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            String tag = "S" + s;
            feeding.add(senders.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    JsonNode reply = TestHttp.post(base, sender, message(tag, i).getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(reply.get("status").asText()).isEqualTo("accepted");
                    sent.incrementAndGet();
                }
                return null;
            }));
        }
        List<Answer> busy;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() > 2 && admission.ingesting());
            busy = burst();
            assertThat(admission.ingesting()).as("ingest was still busy at the end of the burst").isTrue();
        } finally {
            stop.set(true);
            for (Future<?> feeder : feeding) {
                feeder.get();
            }
            senders.shutdown();
        }

        assertThat(busy).hasSize(BURST).allSatisfy(answer -> assertThat(answer.status()).isIn(200, 429));
        List<Answer> admitted = busy.stream().filter(answer -> answer.status() == 200).toList();
        List<Answer> refused = busy.stream().filter(answer -> answer.status() == 429).toList();
        // at most 6 wait or run at once: the first 6 of 10 arrivals are admitted (a few more if some were done by then)
        assertThat(admitted).hasSizeBetween(admission.waiting(), admission.waiting() + 2);
        assertThat(refused).hasSizeGreaterThanOrEqualTo(BURST - admission.waiting() - 2);
        for (Answer answer : refused) {
            assertThat(answer.retryAfter()).isEqualTo("1");
            JsonNode body = TestHttp.JSON.readTree(answer.body());
            assertThat(body.get("status").asText()).isEqualTo("too_many_requests");
            assertThat(body.get("reason").asText()).contains(RATE + " requests per second");
            assertThat(answer.millis()).as("refused at once, not after a wait").isLessThan(1_000);
        }
        // admitted at no more than RATE a second: the k-th admitted (from 0) no sooner than k / RATE whole seconds
        for (int k = 0; k < admitted.size(); k++) {
            long earliest = (k / RATE) * 1000L;
            assertThat(admitted.get(k).millis()).as("admitted request " + k + " of " + admitted)
                    .isGreaterThanOrEqualTo(earliest - 150);
        }
        String metrics = new String(TestHttp.send(base, null, "GET", "/observe/metrics", null).body(), StandardCharsets.UTF_8);
        double counted = metrics.lines().filter(line -> line.startsWith("hl7lake_api_throttled_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertThat(counted).isGreaterThanOrEqualTo(refused.size());

        // ingest idle (nothing in flight, nothing done for a second): the same burst is neither delayed nor refused
        await().atMost(Duration.ofSeconds(30)).until(() -> !admission.ingesting());
        List<Answer> idle = burst();
        assertThat(idle).hasSize(BURST).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
        // throttled, the last of 10 would come after 4 s at 2 a second
        assertThat(idle.get(BURST - 1).millis()).isLessThan(2_000);
    }

    @Test
    void aRateBelowOneOrAQueueOutOfBoundsStopsTheStartWithTheSettingsName() {
        for (Map.Entry<String, String> bad : List.of(Map.entry(ApiAdmission.RATE, "0"), Map.entry(ApiAdmission.RATE, "-5"),
                Map.entry(ApiAdmission.QUEUE, "0"), Map.entry(ApiAdmission.QUEUE, "17"))) {
            EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false", bad.getKey(), bad.getValue()));
            assertThatThrownBy(() -> Engine.start(settings).close()).hasStackTraceContaining(bad.getKey() + " must be")
                    .hasStackTraceContaining("was " + bad.getValue());
        }
    }

    /** Any rate and queue: accepted as given when rate >= 1 and 1 <= queue <= 16, else refused naming the setting. */
    @Test
    void theSettingsAreTakenWithinTheirBoundsAndRefusedOutside() {
        qt().withExamples(500).withFixedSeed(14L).forAll(integers().between(-1_000, 5_000), integers().between(-10, 40))
                .checkAssert((rate, queue) -> {
                    if (rate < 1 || queue < 1 || queue > ApiAdmission.MAX_QUEUE) {
                        assertThatThrownBy(() -> new ApiAdmission(rate, queue)).isInstanceOf(IllegalArgumentException.class)
                                .hasMessageContaining(rate < 1 ? ApiAdmission.RATE : ApiAdmission.QUEUE)
                                .hasMessageContaining("was " + (rate < 1 ? rate : queue));
                        return;
                    }
                    ApiAdmission admitted = new ApiAdmission(rate, queue);
                    assertThat(admitted.rate()).isEqualTo(rate);
                    assertThat(admitted.waiting()).isEqualTo(queue);
                });
    }
}
