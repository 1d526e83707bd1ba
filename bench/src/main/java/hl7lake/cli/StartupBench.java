package hl7lake.cli;

import hl7lake.Application;
import hl7lake.http.LocalIssuer;
import hl7lake.local.FreePorts;

import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code bench startup [--runs N] [--jvm-option OPT]... [--jar PATH] [--engine-jar PATH]}: start to ready
 * of the packaged jars as a user starts them: from launching {@code java -jar hl7lake.jar local} to
 * {@code GET /observe/health} answering 200, N times on a fresh data directory and N times on a
 * restart of it (stopped with SIGTERM in between); then the engine alone, the production jar's
 * {@code run} in AWS mode, N times against the S3 and DynamoDB endpoints of a local lake started once
 * beside it (placeholder AWS credentials in the environment). Each is measured without and, when the
 * build made one ({@link ClassArchiveCommand}), with the jar's class-data-sharing archive beside it,
 * alternately, so the two columns come from the same minutes of the same machine. Reports min,
 * median and max of each.
 */
final class StartupBench {

    private StartupBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options given = Options.parse(args, "--runs", "--jvm-option", "--jar", "--engine-jar");
        int runs = given.number("--runs", 5, 1);
        Path jar = given.has("--jar") ? Path.of(given.text("--jar", null))
                : Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path engineJar = given.has("--engine-jar") ? Path.of(given.text("--engine-jar", null)) : null;
        List<String> jvmOptions = new ArrayList<>(given.all("--jvm-option"));
        if (engineJar == null) {
            Path built = Path.of("engine", "target", "hl7lake-engine.jar");
            engineJar = Files.isRegularFile(built) ? built : jar;
        }
        jar = jar.toAbsolutePath().normalize(); // the children run in their own directories
        engineJar = engineJar.toAbsolutePath().normalize();
        Path archive = ClassArchiveCommand.archiveOf(jar);
        Path engineArchive = ClassArchiveCommand.archiveOf(engineJar);
        out.printf(Locale.ROOT, "start to ready of %s (engine alone: %s), %d runs each, %d cores, %s %s%s%n",
                jar.getFileName(), engineJar.getFileName(), runs, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                jvmOptions.isEmpty() ? "" : ", JVM options " + jvmOptions);
        boolean archived = Files.isRegularFile(archive);
        boolean engineArchived = Files.isRegularFile(engineArchive);
        out.printf(Locale.ROOT, "class-data-sharing archives: %s%s; %s%s%n", archive.getFileName(),
                archived ? "" : " (none: not measured with it)", engineArchive.getFileName(),
                engineArchived ? "" : " (none: not measured with it)");
        List<String> plain = jvmOptions;
        List<String> shared = withArchive(jvmOptions, archive);
        List<String> engineShared = withArchive(jvmOptions, engineArchive);

        double[][] fresh = new double[2][runs];
        double[][] restart = new double[2][runs];
        for (int i = 0; i < runs; i++) {
            for (int with = 0; with < (archived ? 2 : 1); with++) {
                List<String> options = with == 1 ? shared : plain;
                Path dir = Files.createTempDirectory("hl7lake-startup-");
                try {
                    Child first = Child.local(jar, options, dir);
                    fresh[with][i] = first.awaitReady();
                    first.stop();
                    Child again = Child.local(jar, options, dir);
                    restart[with][i] = again.awaitReady();
                    again.stop();
                } finally {
                    delete(dir);
                }
            }
        }
        out.println(line("local, fresh data directory", fresh, archived));
        out.println(line("local, restart", restart, archived));

        double[][] alone = new double[2][runs];
        Path lakeDir = Files.createTempDirectory("hl7lake-startup-lake-");
        try {
            Child lake = Child.local(jar, plain, lakeDir);
            lake.awaitReady();
            try {
                for (int i = 0; i < runs; i++) {
                    for (int with = 0; with < (engineArchived ? 2 : 1); with++) {
                        Child engine = Child.aws(engineJar, with == 1 ? engineShared : plain, lakeDir, lake);
                        alone[with][i] = engine.awaitReady();
                        engine.stop();
                    }
                }
            } finally {
                lake.stop();
            }
        } finally {
            delete(lakeDir);
        }
        out.println(line("engine alone (AWS mode, lake beside it)", alone, engineArchived));
        return 0;
    }

    private static List<String> withArchive(List<String> jvmOptions, Path archive) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
        return options;
    }

    private static String line(String what, double[][] seconds, boolean archived) {
        String without = summary(seconds[0]);
        return String.format(Locale.ROOT, "%-42s %s%s", what, without,
                archived ? "   | with the archive: " + summary(seconds[1]) : "");
    }

    private static String summary(double[] seconds) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "min %.2f s, median %.2f s, max %.2f s", sorted[0],
                sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One packaged engine as a child process, on free ports, its output in {@code engine.log} of its directory. */
    static final class Child {

        private final Process process;
        private final long launched;
        private final Path log;
        final int httpPort;
        final int s3Port;
        final int dynamoPort;
        final int issuerPort;

        private Child(Process process, long launched, Path log, int httpPort, int s3Port, int dynamoPort, int issuerPort) {
            this.process = process;
            this.log = log;
            this.launched = launched;
            this.httpPort = httpPort;
            this.s3Port = s3Port;
            this.dynamoPort = dynamoPort;
            this.issuerPort = issuerPort;
        }

        static Child local(Path jar, List<String> jvmOptions, Path dir) throws IOException {
            int http = FreePorts.find();
            int s3 = FreePorts.find();
            int dynamo = FreePorts.find();
            int issuer = FreePorts.find();
            List<String> command = java(jvmOptions);
            command.addAll(List.of("-Dhl7lake.local.s3-port=" + s3, "-Dhl7lake.local.dynamodb-port=" + dynamo,
                    "-Dhl7lake.local.issuer-port=" + issuer, "-Dhl7lake.http.port=" + http,
                    "-Dhl7lake.mllp.port=" + FreePorts.find(), "-jar", jar.toString(), "local"));
            return launch(new ProcessBuilder(command).directory(dir.toFile()), dir, http, s3, dynamo, issuer);
        }

        /** The engine in AWS mode on the endpoints of {@code lake}, its tokens checked against the lake's issuer. */
        static Child aws(Path jar, List<String> jvmOptions, Path dir, Child lake) throws IOException {
            int http = FreePorts.find();
            List<String> command = java(jvmOptions);
            command.addAll(List.of("-Dhl7lake.http.port=" + http, "-Dhl7lake.mllp.port=" + FreePorts.find(),
                    "-jar", jar.toString(), "run"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            Map<String, String> env = builder.environment();
            env.put("HL7LAKE_MODE", "aws");
            env.put("HL7LAKE_AWS_S3_ENDPOINT", "http://127.0.0.1:" + lake.s3Port);
            env.put("HL7LAKE_AWS_DYNAMODB_ENDPOINT", "http://127.0.0.1:" + lake.dynamoPort);
            env.put("HL7LAKE_HTTP_AUTH_ISSUER", LocalIssuer.issuerFor(lake.issuerPort));
            env.put("HL7LAKE_HTTP_AUTH_CLIENT_ID", LocalIssuer.CLIENT_ID);
            env.put("AWS_ACCESS_KEY_ID", "placeholder");
            env.put("AWS_SECRET_ACCESS_KEY", "placeholder");
            env.put("AWS_REGION", "us-east-1");
            return launch(builder, dir, http, 0, 0, 0);
        }

        private static List<String> java(List<String> jvmOptions) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            return command;
        }

        private static Child launch(ProcessBuilder builder, Path dir, int http, int s3, int dynamo, int issuer)
                throws IOException {
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("engine.log").toFile()));
            long launched = System.nanoTime();
            return new Child(builder.start(), launched, dir.resolve("engine.log"), http, s3, dynamo, issuer);
        }

        /** Seconds from launch until the health endpoint answered 200. */
        double awaitReady() {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!ready()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the engine did not become ready; the end of its log:\n" + tail());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            return (System.nanoTime() - launched) / 1e9;
        }

        /** The last lines of the child's log (the engine logs ids, keys and reasons, never message content). */
        private String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        private boolean ready() {
            try {
                HttpURLConnection health = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/observe/health")
                        .toURL().openConnection();
                health.setConnectTimeout(500);
                health.setReadTimeout(5000);
                return health.getResponseCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
