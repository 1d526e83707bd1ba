package hl7lake.observe;

import hl7lake.Engine;
import hl7lake.ingest.Inbound;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /observe/health and /observe/metrics of a running engine, over HTTP. */
class ObserveTest {

    private static Engine engine;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        port = FreePorts.find();
        engine = Engine.start(hl7lake.TestEngines.local(Map.of("hl7lake.http.port", Integer.toString(port))));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_is_ready_only_while_the_lake_answers() throws Exception {
        assertThat(get("/observe/health").statusCode()).isEqualTo(200);
        engine.local().stopS3();
        try {
            HttpResponse<String> down = get("/observe/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("DOWN");
        } finally {
            engine.local().startS3();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/observe/health").statusCode() == 200);
    }

    @Test
    void metrics_count_messages_by_door_and_outcome_and_rejections_by_code() throws Exception {
        var template = engine.camel().createProducerTemplate();
        template.requestBody("direct:ingest", Inbound.of("MSH|^~\\&|M|F|L|L|2026||ADT^A08|MET-1|P|2.5\rPID|1\r"
                .getBytes(StandardCharsets.US_ASCII), "metrics-test", Instant.now()));
        template.requestBody("direct:ingest", Inbound.of("MSH|^~\\&|M|F|L|L|2026||ADT^Z99|MET-2|P|2.5\rPID|1\r"
                .getBytes(StandardCharsets.US_ASCII), "metrics-test", Instant.now()));
        String metrics = get("/observe/metrics").body();
        assertThat(metrics).contains("hl7lake_messages_total{door=\"metrics-test\",duplicate=\"false\",outcome=\"accepted\"} 1.0")
                .contains("hl7lake_messages_total{door=\"metrics-test\",duplicate=\"false\",outcome=\"rejected\"} 1.0")
                .contains("hl7lake_rejections_total{code=\"201\"}")
                .contains("hl7lake_pipeline_seconds_bucket{door=\"metrics-test\"");
    }
}
