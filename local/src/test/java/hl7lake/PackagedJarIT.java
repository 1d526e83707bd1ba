package hl7lake;

import ca.uhn.hl7v2.util.Terser;
import hl7lake.config.AwsClients;
import hl7lake.convert.Conversions;
import hl7lake.mllp.MllpDoorTest;
import hl7lake.mllp.MllpSocket;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as README.md runs it: {@code java -jar target/hl7lake.jar local} in a fresh
 * directory (free ports instead of the defaults, so that the test never collides with anything):
 * /observe/health turns ready, a dropped file lands in staging, SIGTERM stops it cleanly, and the
 * lake is under ./data.
 */
class PackagedJarIT {

    @TempDir
    Path work;

    @Test
    void the_jar_starts_turns_ready_ingests_a_drop_file_and_stops_on_sigterm() throws Exception {
        int s3Port = FreePorts.find();
        int httpPort = FreePorts.find();
        int mllpPort = FreePorts.find();
        long started = System.nanoTime();
        Process engine = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhl7lake.local.s3-port=" + s3Port, "-Dhl7lake.local.dynamodb-port=" + FreePorts.find(),
                "-Dhl7lake.http.port=" + httpPort, "-Dhl7lake.local.issuer-port=" + FreePorts.find(), "-Dhl7lake.mllp.port=" + mllpPort, "-Dhl7lake.inbox.poll-millis=200",
                "-jar", Path.of("target", "hl7lake.jar").toAbsolutePath().toString(), "local")
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(new File(work.resolve("engine.log").toString()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        try (S3Client s3 = AwsClients.s3(URI.create("http://127.0.0.1:" + s3Port), "us-east-1")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/observe/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            System.out.printf("start to ready: %d ms%n", (System.nanoTime() - started) / 1_000_000);

            s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/adt.hl7"),
                    RequestBody.fromFile(Path.of("samples", "adt-a04-v2.7.hl7")));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !s3.listObjectsV2(b -> b.bucket("hl7lake").prefix("staging/hl7v2/ADT_A01/")).contents().isEmpty());
            sendEverySampleOverMllp(mllpPort);
        } finally {
            engine.destroy(); // SIGTERM, as Ctrl+C or docker stop
            assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(work.resolve("engine.log"));
        assertThat(log).contains("(hl7lake) shutdown in");
        assertThat(Files.isDirectory(work.resolve("data").resolve("s3"))).isTrue();
        assertThat(Files.isDirectory(work.resolve("data").resolve("dynamodb"))).isTrue();
        assertThat(log).contains("mllp /127.0.0.1");
        for (String name : patientData()) {
            assertThat(log).as("no patient data in the log").doesNotContain(name);
        }
    }

    private static List<Path> everySample() {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        files.addAll(TestFiles.invalidSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        return files;
    }

    /** Each message of each sample, as is, over one MLLP connection; each gets the ACKs it asks for. */
    private static void sendEverySampleOverMllp(int port) throws Exception {
        try (MllpSocket mllp = new MllpSocket(port)) {
            for (Path file : everySample()) {
                for (byte[] message : Conversions.messages(TestFiles.read(file))) {
                    mllp.write(MllpSocket.frame(message));
                    for (String code : MllpDoorTest.expectedCodes(Conversions.convert(message))) {
                        assertThat(mllp.read()).as(file.toString()).contains("MSA|" + code);
                    }
                }
            }
        }
    }

    /** Every patient name and identifier (PID-3, PID-5) in the samples that HAPI can read. */
    private static Set<String> patientData() {
        Set<String> values = new TreeSet<>(List.of("TESTPATIENT"));
        for (Path file : everySample()) {
            for (byte[] message : Conversions.messages(TestFiles.read(file))) {
                try {
                    Terser pid = new Terser(Conversions.PARSER.context().getPipeParser()
                            .parse(new String(message, StandardCharsets.ISO_8859_1)));
                    for (String path : List.of("/.PID-3-1", "/.PID-5-1", "/.PID-5-2")) {
                        String value = pid.get(path);
                        if (value != null && value.length() >= 4) {
                            values.add(value);
                        }
                    }
                } catch (Exception unreadable) {
                    // an invalid sample: what can be read of it is checked through the others
                }
            }
        }
        assertThat(values).hasSizeGreaterThan(10);
        return values;
    }
}
