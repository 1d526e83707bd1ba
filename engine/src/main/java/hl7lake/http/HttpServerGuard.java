package hl7lake.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.VertxWrapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The Vert.x instance the engine's HTTP server runs on (bound in Camel's registry, where
 * platform-http finds it): every HTTP server it creates gets the engine's limits, which Camel's
 * platform-http has no settings for (docs/decisions.md). HTTP/1.1 only (no h2c):
 * <ul>
 *   <li>an idle timeout (no byte either way for this long: closed);</li>
 *   <li>a request-header timeout (a request's headers must be complete within this long of the
 *       connection opening or of its previous answer: a slow trickle of header bytes does not hold a
 *       connection);</li>
 *   <li>a connection cap (one more is closed at once);</li>
 *   <li>a JSON answer to what Vert.x refuses before any route sees it (headers too large: 431; a
 *       request line too long: 414; a malformed request: 400), and to the router's own refusals
 *       (404, 405, 413, 415, 500) through {@link #jsonErrors}.</li>
 * </ul>
 */
public final class HttpServerGuard extends VertxWrapper {

    private final int idleTimeoutSeconds;
    private final long headerTimeoutMillis;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Map<HttpConnection, HeaderWait> awaitingHeaders = new ConcurrentHashMap<>();

    private HttpServerGuard(VertxInternal vertx, int idleTimeoutSeconds, int headerTimeoutSeconds, int maxConnections) {
        super(vertx);
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.headerTimeoutMillis = TimeUnit.SECONDS.toMillis(headerTimeoutSeconds);
        this.maxConnections = maxConnections;
    }

    /** 0 for a timeout: none. */
    public static HttpServerGuard create(int idleTimeoutSeconds, int headerTimeoutSeconds, int maxConnections) {
        return new HttpServerGuard((VertxInternal) Vertx.vertx(), idleTimeoutSeconds, headerTimeoutSeconds, maxConnections);
    }

    /** Closes the Vert.x instance (its servers with it), waiting up to 10 seconds. */
    public void stop() {
        try {
            delegate.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // stopping anyway: nothing more to release
        }
    }

    /** {@code hl7lake_http_connections} (open now) and {@code hl7lake_http_connections_refused_total}. */
    public void bind(MeterRegistry registry) {
        Gauge.builder("hl7lake.http.connections", open, AtomicInteger::get)
                .description("HTTP connections open").register(registry);
        FunctionCounter.builder("hl7lake.http.connections.refused", refused, AtomicLong::get)
                .description("HTTP connections closed at once over hl7lake.http.max-connections").register(registry);
    }

    @Override
    public HttpServer createHttpServer() {
        return createHttpServer(new HttpServerOptions());
    }

    @Override
    public HttpServer createHttpServer(HttpServerOptions options) {
        // HTTP/1.1 only: no h2c upgrade (nothing here needs HTTP/2 in clear text, and a server that
        // sniffs for an HTTP/2 preface sees a connection only once it has sent bytes)
        HttpServerOptions limited = new HttpServerOptions(options).setIdleTimeout(idleTimeoutSeconds)
                .setIdleTimeoutUnit(TimeUnit.SECONDS).setHttp2ClearTextEnabled(false);
        HttpServer server = delegate.createHttpServer(limited);
        server.connectionHandler(this::opened);
        server.invalidRequestHandler(HttpServerGuard::invalid);
        return watchRequests(server);
    }

    private void opened(HttpConnection connection) {
        int now = open.incrementAndGet();
        connection.closeHandler(closed -> {
            open.decrementAndGet();
            HeaderWait wait = awaitingHeaders.remove(connection);
            if (wait != null) {
                cancelTimer(wait.timer);
            }
        });
        if (now > maxConnections) {
            refused.incrementAndGet();
            connection.close();
            return;
        }
        if (headerTimeoutMillis > 0) {
            HeaderWait wait = new HeaderWait();
            awaitingHeaders.put(connection, wait);
            arm(connection, wait);
        }
    }

    /** A request's headers are complete: its connection's header timer starts again from now. */
    private void requestArrived(HttpServerRequest request) {
        HeaderWait wait = awaitingHeaders.get(request.connection());
        if (wait != null) {
            cancelTimer(wait.timer);
            wait.last = request;
            wait.answered = false;
            arm(request.connection(), wait);
        }
    }

    /**
     * When the timer fires: a request still being answered keeps its connection; one answered is
     * given one more period for the next request's headers (so between one and two periods after its
     * answer); none at all since the timer started, and the connection is closed.
     */
    private void arm(HttpConnection connection, HeaderWait wait) {
        wait.timer = setTimer(headerTimeoutMillis, fired -> {
            if (awaitingHeaders.get(connection) != wait) {
                return;
            }
            boolean inFlight = wait.last != null && !wait.last.response().ended() && !wait.last.response().closed();
            if (inFlight || (wait.last != null && !wait.answered)) {
                wait.answered = !inFlight;
                arm(connection, wait);
                return;
            }
            awaitingHeaders.remove(connection);
            connection.close();
        });
    }

    /** Per connection: its header timer, and its last request. */
    private static final class HeaderWait {
        volatile long timer;
        volatile HttpServerRequest last;
        volatile boolean answered;
    }

    /**
     * The server, with its request handler (set later by platform-http: its root router, which gets
     * {@link #jsonErrors}) preceded by {@link #requestArrived}; every other call goes to the server itself.
     */
    private HttpServer watchRequests(HttpServer server) {
        return (HttpServer) Proxy.newProxyInstance(HttpServer.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                        @SuppressWarnings("unchecked")
                        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                        if (handler instanceof Router root) {
                            jsonErrors(root);
                        }
                        server.requestHandler(handler == null ? null : request -> {
                            requestArrived(request);
                            handler.handle(request);
                        });
                        return proxy;
                    }
                    try {
                        Object result = method.invoke(server, args);
                        return result == server ? proxy : result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** What Vert.x could not parse as a request: the status its own handler would give, with a JSON reason. */
    private static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        int status = 400;
        String reason = "the request is not valid HTTP/1.1";
        if (cause instanceof TooLongFrameException && message.startsWith("An HTTP line is larger than")) {
            status = 414;
            reason = "the request line is too long";
        } else if (cause instanceof TooLongFrameException && message.startsWith("HTTP header is larger than")) {
            status = 431;
            reason = "the request headers are larger than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
                    + " bytes (a token that large is not accepted)";
        }
        HttpServerResponse response = request.response().setStatusCode(status).putHeader("Connection", "close");
        write(response, status == 431 ? "too_large" : "bad_request", reason);
    }

    /** JSON bodies for the router's own refusals, which happen before any route of ours runs. */
    public static void jsonErrors(Router router) {
        router.errorHandler(400, ctx -> fail(ctx, "bad_request", "the request could not be read"));
        router.errorHandler(404, ctx -> fail(ctx, "not_found", "no such path (the door is POST /hl7v2/er7)"));
        router.errorHandler(405, ctx -> fail(ctx, "method_not_allowed", "this path does not take this method"));
        router.errorHandler(413, ctx -> fail(ctx, "too_large", "the body is over the server's limit"));
        router.errorHandler(415, ctx -> fail(ctx, "bad_request", "Content-Type must be application/json (the envelope), "
                + "text/plain (Base64) or application/hl7-v2 (ER7); " + mediaType(ctx)));
        router.errorHandler(500, ctx -> fail(ctx, "unavailable", "the request could not be handled"));
    }

    private static String mediaType(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || type.isBlank()) {
            return "the request has none";
        }
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.length() > 80 || !media.matches("[a-z0-9!#$&^_.+/-]*") ? "not that one" : "not " + media;
    }

    private static void fail(RoutingContext ctx, String status, String reason) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.headers().clear();
        response.setStatusCode(ctx.statusCode() > 0 ? ctx.statusCode() : 500);
        write(response, status, reason);
    }

    private static void write(HttpServerResponse response, String status, String reason) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", status).put("reason", reason);
        response.putHeader("Content-Type", "application/json").end(body.toString());
    }
}
