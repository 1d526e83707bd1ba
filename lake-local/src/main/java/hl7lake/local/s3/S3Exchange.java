package hl7lake.local.s3;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One S3 request as the operations see it: bucket, key, query, headers, body, and ways to answer. */
final class S3Exchange {

    final HttpExchange http;
    final String method;
    final String bucket;
    final String key;
    final Map<String, String> query;

    S3Exchange(HttpExchange http) {
        this.http = http;
        this.method = http.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = decodePath(http.getRequestURI().getRawPath());
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", 2) : path.split("/", 2);
        this.bucket = parts[0];
        this.key = parts.length > 1 ? parts[1] : "";
        this.query = query(http.getRequestURI().getRawQuery());
    }

    String header(String name) {
        return http.getRequestHeaders().getFirst(name);
    }

    boolean has(String parameter) {
        return query.containsKey(parameter);
    }

    /** The request body, decoded when the SDK streamed it as aws-chunked. */
    InputStream body() {
        String encoding = header("Content-Encoding");
        String sha = header("x-amz-content-sha256");
        boolean chunked = (encoding != null && encoding.contains("aws-chunked"))
                || (sha != null && sha.startsWith("STREAMING-"));
        return chunked ? new AwsChunkedInputStream(http.getRequestBody()) : http.getRequestBody();
    }

    /** User metadata from {@code x-amz-meta-*} headers, names in lower case as S3 keeps them. */
    Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        http.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-meta-")) {
                metadata.put(lower.substring("x-amz-meta-".length()), values.get(0));
            }
        });
        return metadata;
    }

    void sendXml(int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        http.getResponseHeaders().set("Content-Type", "application/xml");
        send(status, bytes);
    }

    void send(int status, byte[] bytes) throws IOException {
        http.getResponseHeaders().set("x-amz-request-id", "local");
        if (bytes.length == 0) {
            http.sendResponseHeaders(status, -1);
        } else {
            http.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(bytes);
            }
        }
        http.close();
    }

    void sendStream(int status, long length, InputStream body) throws IOException {
        http.getResponseHeaders().set("x-amz-request-id", "local");
        if ("HEAD".equals(method)) {
            http.getResponseHeaders().set("Content-Length", Long.toString(length));
            http.sendResponseHeaders(status, -1);
        } else {
            http.sendResponseHeaders(status, length == 0 ? -1 : length);
            try (OutputStream out = http.getResponseBody()) {
                body.transferTo(out);
            }
        }
        http.close();
    }

    void error(int status, String code, String message) throws IOException {
        if ("HEAD".equals(method)) {
            send(status, new byte[0]);
        } else {
            sendXml(status, S3Xml.error(code, message, "/" + bucket + (key.isEmpty() ? "" : "/" + key)));
        }
    }

    /** Path decoding keeps "+" (only the query form encodes spaces as "+"). */
    static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(name, value);
        }
        return query;
    }
}
