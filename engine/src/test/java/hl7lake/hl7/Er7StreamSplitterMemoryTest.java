package hl7lake.hl7;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 200 MB batch stream goes through the splitter in a JVM with a 128 MiB heap. The stream is
 * generated as it is read, so neither JVM ever holds it; one message in it is larger than the limit.
 */
class Er7StreamSplitterMemoryTest {

    static final long TARGET_BYTES = 200L * 1024 * 1024;
    static final String MESSAGE = "MSH|^~\\&|LAB|GH|LAKE|L|20261103010000||ORU^R01|C1|P|2.5\r"
            + "PID|1||MRN-1^^^GH^MR||TESTPATIENT^GENERATED\r"
            + "OBR|1|ORD-1||24323-8^Panel^LN\r"
            + ("OBX|1|NM|2345-7^Glucose^LN||95|mg/dL^mg/dL^UCUM|70-99|N|||F\r".repeat(12)) + "\r";
    static final int OVERSIZE_BYTES = 12 * 1024 * 1024;

    @Test
    void a_200_mb_batch_splits_under_a_128_mib_heap() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        long expected = TARGET_BYTES / MESSAGE.length() + 1;
        assertThat(output).contains("messages=" + expected, "oversize=1", "problems=0");
    }

    /** Runs in the child JVM. */
    public static final class Child {
        public static void main(String[] args) {
            Er7StreamSplitter splitter = new Er7StreamSplitter(new GeneratedBatch(), 10 * 1024 * 1024);
            long messages = 0;
            long oversize = 0;
            while (splitter.hasNext()) {
                SplitMessage message = splitter.next();
                messages++;
                oversize += message.oversize() ? 1 : 0;
            }
            System.out.println("messages=" + messages + " oversize=" + oversize + " problems="
                    + splitter.summary().problems().size() + " heapMax=" + Runtime.getRuntime().maxMemory());
        }
    }

    /** FHS, BHS, the message repeated to ~200 MB with one 12 MB message halfway, BTS, FTS. */
    static final class GeneratedBatch extends InputStream {
        private final byte[] message = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        private final long count = TARGET_BYTES / message.length;
        private byte[] chunk = "FHS|^~\\&\rBHS|^~\\&\r".getBytes(StandardCharsets.US_ASCII);
        private int at;
        private long produced;
        private long oversizeLeft = -1;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (at == chunk.length && !nextChunk()) {
                return -1;
            }
            int n = Math.min(length, chunk.length - at);
            System.arraycopy(chunk, at, target, offset, n);
            at += n;
            return n;
        }

        private boolean nextChunk() {
            at = 0;
            if (oversizeLeft > 0) {
                int n = (int) Math.min(64 * 1024, oversizeLeft);
                chunk = "X".repeat(n).getBytes(StandardCharsets.US_ASCII);
                oversizeLeft -= n;
                if (oversizeLeft == 0) {
                    chunk = (new String(chunk, StandardCharsets.US_ASCII) + "\r").getBytes(StandardCharsets.US_ASCII);
                }
                return true;
            }
            if (produced == count / 2 && oversizeLeft < 0) {
                oversizeLeft = OVERSIZE_BYTES;
                chunk = "MSH|^~\\&|LAB|GH|LAKE|L|2026||MDM^T02|BIG|P|2.5\rOBX|1|ED|||".getBytes(StandardCharsets.US_ASCII);
                return true;
            }
            if (produced < count) {
                produced++;
                chunk = message;
                return true;
            }
            if (produced == count) {
                produced++;
                chunk = ("BTS|" + (count + 1) + "\rFTS|1\r").getBytes(StandardCharsets.US_ASCII);
                return true;
            }
            at = chunk.length; // stays at the end: every later read is the end of the stream
            return false;
        }

        @Override
        public void close() throws IOException {
        }
    }
}
