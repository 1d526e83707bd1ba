package hl7lake.convert;

import hl7lake.TestFiles;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new converter's first messages, converted at once on several threads (an engine's first burst,
 * restage's workers), are read exactly as they are one at a time: HAPI's lazily filled lookups must
 * not make a valid message fail on first use.
 */
class FirstConversionsConcurrentTest {

    @Test
    void a_fresh_converters_first_messages_in_parallel_are_accepted_as_one_at_a_time() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        for (Path file : TestFiles.acceptedSamples()) {
            messages.addAll(Conversions.messages(TestFiles.read(file)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.of("standard"),
                        Charset.forName("windows-1252"));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Conversion>> results = new ArrayList<>();
                for (byte[] message : messages) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return converter.convert(message, new Receipt("id", "test", Instant.now(), null));
                    }));
                }
                start.countDown();
                for (int i = 0; i < results.size(); i++) {
                    Conversion conversion = results.get(i).get();
                    assertThat(conversion).as("round %d, message %d: %s", round, i, conversion)
                            .isInstanceOf(Conversion.Accepted.class);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
