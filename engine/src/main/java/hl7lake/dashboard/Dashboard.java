package hl7lake.dashboard;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import static hl7lake.Hl7LakeConstants.HTTP_RESPONSE_CODE;

/**
 * The dashboard's files ({@code routes/dashboard.yaml}): the page at {@code /} and its script and
 * style at {@code /dashboard/*}, read once from the class path ({@code dashboard/}), nothing else
 * served. The page holds no data: it signs in with a bearer token and reads the query API
 * ({@code /api/*}) as that token's roles allow, so what it shows is checked and audited there.
 * Every file goes with headers that keep the page's own code the only code it runs
 * ({@link #SECURITY_HEADERS}; docs/decisions.md "The dashboard").
 */
public final class Dashboard {

    /** The headers every dashboard file is answered with (and the only ones its route lets out besides Content-Type). */
    public static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> files = new LinkedHashMap<>();

    public Dashboard() {
        for (String name : TYPES.keySet()) {
            try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard/" + name + " is missing from the class path");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("dashboard/" + name + " could not be read", e);
            }
        }
    }

    /** The file a GET asks for ({@code /} is the page), with its type and the security headers; 404 for any other. */
    public Object file(Exchange exchange) {
        String path = exchange.getMessage() instanceof HttpMessage http ? http.getRequest().path() : "";
        String name = "/".equals(path) || path.isEmpty() ? "index.html"
                : path.startsWith("/dashboard/") ? path.substring("/dashboard/".length()) : "";
        byte[] body = files.get(name);
        SECURITY_HEADERS.forEach(exchange.getMessage()::setHeader);
        if (body == null) {
            exchange.getMessage().setHeader(HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            return "{\"error\":\"not_found\",\"reason\":\"no such file of the dashboard\"}";
        }
        exchange.getMessage().setHeader(HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, TYPES.get(name));
        return body;
    }
}
