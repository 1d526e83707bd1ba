package hl7lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests to an engine's HTTP server in tests: the door's POST and the query API, with a bearer token. */
public final class TestHttp {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestHttp() {
    }

    /** {@code method path} with the token (null: none); a body goes as {@code application/hl7-v2}. */
    public static HttpResponse<byte[]> send(String base, String token, String method, String path, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/hl7-v2");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The HTTP door's reply to {@code body} ({@code POST /hl7v2/er7}), whatever its status. */
    public static JsonNode post(String base, String token, byte[] body) throws Exception {
        return JSON.readTree(send(base, token, "POST", "/hl7v2/er7", body).body());
    }

    /** The JSON of a response that must be 200. */
    public static JsonNode ok(HttpResponse<byte[]> response) throws Exception {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** {@code GET path}, which must answer 200: its JSON. */
    public static JsonNode json(String base, String token, String path) throws Exception {
        return ok(send(base, token, "GET", path, null));
    }
}
