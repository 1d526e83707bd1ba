package hl7lake.local.s3;

import hl7lake.config.AwsClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A GET is answered without waiting for the client's delayed ACK: the JDK's HTTP server leaves
 * Nagle's algorithm on unless told otherwise, and then every reply with a body (headers, then body)
 * stalls ~40 ms. Measured in a JVM of its own, where the local S3 server is the first HTTP server, as
 * in the engine (the JDK reads the setting once per JVM).
 */
class LocalS3LatencyTest {

    @TempDir
    Path directory;

    @Test
    void a_get_takes_far_less_than_a_delayed_ack() throws Exception {
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Probe.class.getName(), directory.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(Double.parseDouble(out.substring(out.lastIndexOf('\n') + 1))).as("median GET ms").isLessThan(35);
    }

    /** Starts the server, GETs one 4 KB object 61 times, prints the median in milliseconds. */
    public static final class Probe {
        public static void main(String[] args) {
            try (LocalS3Server server = LocalS3Server.start(0, Path.of(args[0]));
                 S3Client s3 = AwsClients.s3(server.endpoint(), "us-east-1")) {
                server.createBucket("lake");
                s3.putObject(b -> b.bucket("lake").key("k"), RequestBody.fromBytes(new byte[4096]));
                double[] ms = new double[61];
                for (int i = -20; i < ms.length; i++) { // the first 20 warm the client up
                    long t0 = System.nanoTime();
                    s3.getObjectAsBytes(b -> b.bucket("lake").key("k"));
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.println(ms[ms.length / 2]);
            }
        }
    }
}
