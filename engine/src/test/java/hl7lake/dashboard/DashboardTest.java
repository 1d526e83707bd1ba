package hl7lake.dashboard;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's files over HTTP: the page at {@code /} and its script and style, each with the
 * security headers and nothing of the request reflected; any other file 404 and another method 405,
 * as JSON; off with {@code hl7lake.dashboard.enabled=false}.
 */
class DashboardTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Engine engine;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false"));
        base = "http://127.0.0.1:" + settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("X-Reflect-Me", "reflected").header("Origin", "https://elsewhere.example").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serves_the_page_its_script_and_its_style_with_the_security_headers() throws Exception {
        Map<String, String> files = Map.of("/", "text/html", "/dashboard/dashboard.js", "text/javascript",
                "/dashboard/dashboard.css", "text/css");
        for (Map.Entry<String, String> file : files.entrySet()) {
            HttpResponse<String> response = send("GET", file.getKey());
            assertThat(response.statusCode()).as(file.getKey()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith(file.getValue());
            Dashboard.SECURITY_HEADERS.forEach((name, value) ->
                    assertThat(response.headers().firstValue(name)).as(name).hasValue(value));
            assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("X-Reflect-Me")
                    || name.toLowerCase().startsWith("access-control"));
        }
        String page = send("GET", "/").body();
        assertThat(page).contains("<script src=\"/dashboard/dashboard.js\" defer></script>")
                .doesNotContain("<script>").doesNotContain("style=\"").doesNotContainPattern("\\son[a-z]+=");
    }

    @Test
    void answers_any_other_file_404_and_another_method_405_as_json() throws Exception {
        for (String path : new String[] {"/dashboard/", "/dashboard/nothing.js", "/dashboard/../application.properties",
                "/dashboard/%2e%2e/routes/api.yaml", "/dashboard/index.html/x"}) {
            HttpResponse<String> response = send("GET", path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(path).contains("json");
        }
        HttpResponse<String> post = send("POST", "/");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Content-Type").orElse("")).contains("json");
    }

    @Test
    void is_off_when_disabled() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false", "hl7lake.dashboard.enabled", "false"));
        try (Engine off = Engine.start(settings)) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + settings.number("hl7lake.http.port") + "/")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }
}
