package hl7lake.local;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * DynamoDB Local, in this JVM, for the local mode and the tests: in memory, or persisted under a
 * directory (one shared database file, so it survives restarts). It speaks the real DynamoDB API on
 * a port, so the engine uses the same AWS SDK calls as against AWS.
 *
 * <p>It takes any credentials, so it must not be reachable from the network. Its own runner
 * ({@code ServerRunner}, {@code DynamoDBProxyServer}) binds every interface and has no option for
 * an address; so its request handler is served here by a Jetty server of ours whose one connector
 * listens on 127.0.0.1, without CORS (no web page may call it), and without the runner's telemetry.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {

    /**
     * sqlite4java logs through java.util.logging, in a format of its own beside the engine's lines; its
     * note at every start ("unknown jar version": it is not in a jar of its own name) is not the user's
     * concern, its errors are. Held here, or the level would go with the logger.
     */
    private static final Logger SQLITE = Logger.getLogger("com.almworks.sqlite4java");

    static {
        SQLITE.setLevel(Level.SEVERE);
    }

    private final Server server;
    private final LocalDynamoDBServerHandler handler;
    private final int port;

    private EmbeddedDynamoDb(Server server, LocalDynamoDBServerHandler handler, int port) {
        this.server = server;
        this.handler = handler;
        this.port = port;
    }

    /** Starts on {@code port} of 127.0.0.1 (0: any free one), in memory when {@code directory} is null. */
    public static EmbeddedDynamoDb start(int port, Path directory) {
        Server server = new Server();
        try {
            LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(new LocalDynamoDBRequestHandler(0,
                    directory == null, directory == null ? null : directory.toAbsolutePath().toString(), directory != null, false),
                    null);
            ServerConnector loopback = new ServerConnector(server);
            loopback.setHost(InetAddress.getLoopbackAddress().getHostAddress());
            loopback.setPort(port);
            server.addConnector(loopback);
            ContextHandler context = new ContextHandler();
            context.setHandler(handler);
            server.setHandler(new ContextHandlerCollection(context));
            server.start();
            return new EmbeddedDynamoDb(server, handler, loopback.getLocalPort());
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it did not start
            }
            throw new IllegalStateException("DynamoDB Local did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
            handler.close();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
        }
    }
}
