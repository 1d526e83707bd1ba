package hl7lake.local.s3;

import com.sun.net.httpserver.HttpServer;
import hl7lake.local.FreePorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An S3-compatible server for the local mode, on loopback, storing objects as files under a
 * directory. Ours because the embedded servers on Maven Central each fall short here (docs/decisions.md, "The local S3 server is ours"):
 * LocalS3's persistent store slows to ~74 puts/s at 10,000 objects and its metadata file was
 * corrupted by a {@code kill -9}; s3proxy answers 501 to object tags; S3Mock slows to ~15 puts/s.
 * It implements what the engine and the AWS CLI use: buckets, put (plain, conditional, copy,
 * multipart), get (ranges), head, delete (one or many), list v1/v2, object tags and metadata.
 * Requests are not authenticated: it listens on 127.0.0.1 only. Bucket names are checked as S3 checks
 * them (InvalidBucketName), keys are up to 1,024 bytes (KeyTooLongError), and any legal key is stored.
 */
public final class LocalS3Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalS3Server.class);

    static {
        // The JDK's server leaves Nagle's algorithm on: a reply written as headers, then body (every GET)
        // waits for the client's delayed ACK, ~40 ms a request. Read once, when the JVM's first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final ObjectStore store;

    private LocalS3Server(HttpServer server, ExecutorService workers, ObjectStore store) {
        this.server = server;
        this.workers = workers;
        this.store = store;
    }

    /** Starts on {@code port} of 127.0.0.1 (0: any free port), storing under {@code directory}. */
    public static LocalS3Server start(int port, Path directory) {
        try {
            ObjectStore store = new ObjectStore(directory);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    port == 0 ? FreePorts.find() : port), 256);
            ExecutorService workers = Executors.newFixedThreadPool(32, runnable -> {
                Thread thread = new Thread(runnable, "local-s3");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(workers);
            BucketOperations buckets = new BucketOperations(store);
            ObjectOperations objects = new ObjectOperations(store);
            server.createContext("/", http -> {
                S3Exchange s3 = new S3Exchange(http);
                try {
                    if (s3.bucket.isEmpty()) {
                        s3.sendXml(200, S3Xml.buckets(store.buckets()));
                    } else if (!ObjectStore.validBucketName(s3.bucket)) {
                        // S3's naming rules; they also keep a name like ".." from leaving the data directory
                        s3.error(400, "InvalidBucketName", "The specified bucket is not valid.");
                    } else if (!s3.key.isEmpty() && !ObjectStore.validKey(s3.key)) {
                        s3.error(400, "KeyTooLongError", "Your key is too long");
                    } else if (s3.key.isEmpty()) {
                        buckets.handle(s3);
                    } else {
                        objects.handle(s3);
                    }
                } catch (Exception e) {
                    // the class only: a message can hold a path, and keys can be drop-file names (user text)
                    LOG.warn("local S3 {} failed: {}", s3.method, e.getClass().getName());
                    try {
                        s3.error(500, "InternalError", "The local S3 server failed: " + e.getClass().getSimpleName());
                    } catch (IOException ignored) {
                        http.close();
                    }
                }
            });
            server.start();
            return new LocalS3Server(server, workers, store);
        } catch (IOException e) {
            throw new UncheckedIOException("the local S3 server did not start", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void createBucket(String bucket) {
        try {
            store.createBucket(bucket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops taking requests, lets those in progress finish (up to 5 s), then stops. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
