package hl7lake.cli;

import hl7lake.Application;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.local.FreePorts;
import hl7lake.mllp.MllpFrameEncoder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench crash [--messages N] [--connections C] [--file-messages F]}: the packaged engine
 * ({@code java -jar <this jar> local}, on a fresh data directory) killed with SIGKILL under load, and
 * what the lake holds afterwards.
 * <ol>
 *   <li>MLLP: N messages over C connections, each sender resending a message until it gets an ACK
 *       (reconnecting while the engine is down), as an interface engine does; the engine is killed
 *       twice, at a third and at two thirds of the ACKs, and started again at once.</li>
 *   <li>Drop folder: one file of F messages; the engine is killed once a quarter is cataloged, and
 *       started again.</li>
 * </ol>
 * Counted from the catalog at the end: messages ACKed AA but not cataloged (lost), messages
 * cataloged more than once (twice), and the time each restart took to answer again. A reliability
 * run, not a test: it takes minutes.
 */
final class CrashBench {

    private static final String BUCKET = "hl7lake";

    private CrashBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args, "--messages", "--connections", "--file-messages");
        int messages = options.number("--messages", 10_000, 0);
        int connections = options.number("--connections", 4, 1);
        int fileMessages = options.number("--file-messages", 20_000, 0);
        out.printf(Locale.ROOT, "the packaged engine killed with SIGKILL under load, %d cores, %s %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        if (messages > 0) {
            try (Lake lake = new Lake()) {
                mllp(lake, messages, connections, out);
            }
        }
        if (fileMessages > 0) {
            try (Lake lake = new Lake()) {
                dropFile(lake, fileMessages, out);
            }
        }
        return 0;
    }

    private static void mllp(Lake lake, int count, int connections, PrintStream out) throws Exception {
        lake.start();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger resends = new AtomicInteger();
        Set<String> ackedAa = ConcurrentHashMap.newKeySet();
        Map<String, Integer> codes = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long start = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            senders.add(pool.submit(() -> {
                Resender sender = new Resender(lake.mllpPort);
                try {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        String control = "CRASH-" + i;
                        String code = sender.sendUntilAnswered(EngineBench.message("CRASH", i), resends);
                        codes.merge(code, 1, Integer::sum);
                        if (code.equals("AA")) {
                            ackedAa.add(control);
                        }
                        acked.incrementAndGet();
                    }
                } finally {
                    sender.close();
                }
                return null;
            }));
        }
        List<Double> restarts = new ArrayList<>();
        for (int kill = 1; kill <= 2; kill++) {
            int at = count * kill / 3;
            while (acked.get() < at && !allDone(senders)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            if (allDone(senders)) {
                break;
            }
            lake.kill();
            out.printf(Locale.ROOT, "mllp: killed the engine at %,d ACKs%n", acked.get());
            restarts.add(lake.start());
        }
        for (Future<?> sender : senders) {
            sender.get();
        }
        pool.shutdownNow();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Integer> cataloged = lake.cataloged("CRASH-");
        long lost = ackedAa.stream().filter(c -> !cataloged.containsKey(c)).count();
        long twice = cataloged.values().stream().filter(n -> n > 1).count();
        out.printf(Locale.ROOT, "mllp: %,d messages over %d connections with resends, 2 kills: %,d ACKed (%s), %,d resends, "
                        + "%,d cataloged, lost %d, twice %d, restart to ready %s s, %.0f s in all%n",
                count, connections, acked.get(), codes, resends.get(), cataloged.size(), lost, twice,
                restarts.stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList(), seconds);
        lake.stop();
    }

    private static void dropFile(Lake lake, int count, PrintStream out) throws Exception {
        lake.start();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < count; i++) {
            file.append(EngineBench.message("DROP", i)).append("\r\n");
        }
        long start = System.nanoTime();
        lake.s3.putObject(b -> b.bucket(BUCKET).key("raw/inbox/crash.hl7"),
                RequestBody.fromBytes(file.toString().getBytes(StandardCharsets.US_ASCII)));
        while (lake.cataloged("DROP-").size() < count / 4) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        int before = lake.cataloged("DROP-").size();
        lake.kill();
        double restart = lake.start();
        while (!lake.s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("raw/inbox/")).contents().isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Integer> cataloged = lake.cataloged("DROP-");
        long twice = cataloged.values().stream().filter(n -> n > 1).count();
        out.printf(Locale.ROOT, "drop file: %,d messages, killed at %,d cataloged: %,d cataloged in the end, missing %d, twice %d, "
                + "restart to ready %.1f s, file done in %.0f s%n", count, before, cataloged.size(), count - cataloged.size(),
                twice, restart, seconds);
        lake.stop();
    }

    private static boolean allDone(List<Future<?>> futures) {
        return futures.stream().allMatch(Future::isDone);
    }

    /** An MLLP sender that resends its current message until it is answered, reconnecting as needed. */
    private static final class Resender {

        private final int port;
        private Socket socket;

        Resender(int port) {
            this.port = port;
        }

        String sendUntilAnswered(String message, AtomicInteger resends) {
            byte[] frame = MllpFrameEncoder.frame(message.getBytes(StandardCharsets.US_ASCII));
            for (int attempt = 0; ; attempt++) {
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        socket.setSoTimeout(30_000);
                    }
                    if (attempt > 0) {
                        resends.incrementAndGet();
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(frame);
                    out.flush();
                    String ack = MllpBench.readFrame(socket.getInputStream());
                    int msa = ack.indexOf("\rMSA|");
                    String code = msa < 0 ? "none" : ack.substring(msa + 5, msa + 7);
                    if (!code.equals("AR")) {
                        return code;
                    }
                } catch (IOException down) {
                    close();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken connection
                }
                socket = null;
            }
        }
    }

    /** The packaged engine in local mode on a data directory of its own, and clients of its lake. */
    private static final class Lake implements AutoCloseable {

        final int s3Port = FreePorts.find();
        final int dynamoPort = FreePorts.find();
        final int httpPort = FreePorts.find();
        final int mllpPort = FreePorts.find();
        final int issuerPort = FreePorts.find();
        final Path dir = Files.createTempDirectory("hl7lake-crash");
        final S3Client s3 = AwsClients.s3(URI.create("http://127.0.0.1:" + s3Port), "us-east-1");
        final DynamoDbClient dynamo = AwsClients.dynamo(URI.create("http://127.0.0.1:" + dynamoPort), "us-east-1");
        private Process engine;

        Lake() throws IOException {
        }

        /** Starts the engine and waits until it answers ready; returns the seconds that took. */
        double start() throws Exception {
            Path jar = Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Dhl7lake.local.s3-port=" + s3Port, "-Dhl7lake.local.dynamodb-port=" + dynamoPort,
                    "-Dhl7lake.local.issuer-port=" + issuerPort, "-Dhl7lake.http.port=" + httpPort,
                    "-Dhl7lake.mllp.port=" + mllpPort, "-Dhl7lake.mllp.host=127.0.0.1",
                    "-Dhl7lake.inbox.poll-millis=200", "-Dhl7lake.inbox.lease-seconds=5", "-jar", jar.toString(), "local");
            long t0 = System.nanoTime();
            engine = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("engine.log").toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!ready()) {
                if (!engine.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the engine did not become ready; see " + dir.resolve("engine.log"));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            return (System.nanoTime() - t0) / 1e9;
        }

        private boolean ready() {
            try {
                HttpURLConnection health = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/observe/health")
                        .toURL().openConnection();
                health.setConnectTimeout(500);
                health.setReadTimeout(2000);
                return health.getResponseCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }

        void kill() throws InterruptedException {
            engine.destroyForcibly();
            engine.waitFor(30, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            engine.destroy();
            if (!engine.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }

        /** Message items per control id with this prefix. */
        Map<String, Integer> cataloged(String prefix) {
            Map<String, Integer> counts = new HashMap<>();
            dynamo.scanPaginator(b -> b.tableName(new CatalogTables("hl7lake-").messages()).projectionExpression("control_id"))
                    .items().forEach(item -> {
                        String control = item.getOrDefault("control_id", AttributeValue.fromS("?")).s();
                        if (control.startsWith(prefix)) {
                            counts.merge(control, 1, Integer::sum);
                        }
                    });
            return counts;
        }

        @Override
        public void close() throws Exception {
            if (engine != null && engine.isAlive()) {
                kill();
            }
            s3.close();
            dynamo.close();
        }
    }
}
