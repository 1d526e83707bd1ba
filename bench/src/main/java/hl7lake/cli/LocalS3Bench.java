package hl7lake.cli;

import hl7lake.config.AwsClients;
import hl7lake.local.s3.LocalS3Server;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * {@code bench s3 [--objects N] [--threads C] [--dir D]}: puts N staging-like objects (1.5 KB, one
 * tag) into the local S3 server on a fresh directory at C threads through the AWS SDK, and prints
 * the rate for each tenth of them, so a slowdown as the bucket grows shows, then lists them all.
 */
final class LocalS3Bench {

    private LocalS3Bench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args, "--objects", "--threads", "--dir");
        int objects = options.number("--objects", 100_000, 1);
        int threads = options.number("--threads", 8, 1);
        Path dir = options.has("--dir") ? Path.of(options.text("--dir", null)) : null;
        Path root = dir != null ? dir : Files.createTempDirectory("hl7lake-bench-s3");
        byte[] body = ("{\"meta\":{\"message_id\":\"x\"},\"msh\":{" + "\"f\":\"0123456789abcdef\",".repeat(70) + "\"z\":1}}")
                .getBytes(StandardCharsets.UTF_8);
        out.printf(Locale.ROOT, "local S3 server, %d objects of %d bytes with a tag, %d threads, under %s, %d cores%n",
                objects, body.length, threads, root, Runtime.getRuntime().availableProcessors());
        try (LocalS3Server server = LocalS3Server.start(0, root);
             S3Client s3 = AwsClients.s3(server.endpoint(), "us-east-1")) {
            server.createBucket("bench");
            int block = Math.max(1, objects / 10);
            AtomicLong next = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            for (int done = 0; done < objects; done += block) {
                int end = Math.min(objects, done + block);
                long blockStart = System.nanoTime();
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    work.add(pool.submit(() -> {
                        for (long n = next.getAndIncrement(); n < end; n = next.getAndIncrement()) {
                            String key = String.format(Locale.ROOT, "staging/hl7v2/ADT_A01/day=2026-11-%02d/%08d.json",
                                    1 + n % 28, n);
                            s3.putObject(b -> b.bucket("bench").key(key).contentType("application/json")
                                    .tagging("data_src=raw/hl7v2/" + key), RequestBody.fromBytes(body));
                        }
                        return null;
                    }));
                }
                for (Future<?> future : work) {
                    future.get();
                }
                next.set(end);
                double seconds = (System.nanoTime() - blockStart) / 1e9;
                out.printf(Locale.ROOT, "objects %,9d..%,9d  %8.0f puts/s%n", done + 1, end, (end - done) / seconds);
            }
            double total = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "all %,d in %.1f s: %.0f puts/s%n", objects, total, objects / total);
            long listStart = System.nanoTime();
            long listed = s3.listObjectsV2Paginator(b -> b.bucket("bench").prefix("staging/")).contents().stream().count();
            out.printf(Locale.ROOT, "listed %,d keys in %.1f s%n", listed, (System.nanoTime() - listStart) / 1e9);
            pool.shutdown();
        }
        if (dir == null) {
            deleteTree(root);
        }
        return 0;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
