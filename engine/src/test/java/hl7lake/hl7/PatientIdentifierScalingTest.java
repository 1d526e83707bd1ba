package hl7lake.hl7;

import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message's distinct patient identifiers are collected in linear work: counted in comparisons, not
 * timed. A list's contains() made 200,000 identifiers cost 2·10^10 comparisons (74 s in convert).
 */
class PatientIdentifierScalingTest {

    /** An identifier whose comparisons are counted; hash codes are distinct, as real identifiers' mostly are. */
    private record Counted(int value, AtomicLong comparisons) {
        @Override
        public boolean equals(Object other) {
            comparisons.incrementAndGet();
            return other instanceof Counted c && c.value == value;
        }

        @Override
        public int hashCode() {
            return Integer.hashCode(value);
        }
    }

    private static long comparisons(int distinct) {
        AtomicLong comparisons = new AtomicLong();
        // every identifier twice, as PID-2 and PID-3 often repeat one
        List<Counted> ids = IntStream.range(0, distinct * 2).mapToObj(i -> new Counted(i % distinct, comparisons)).toList();
        assertThat(MessageMetadata.distinct(ids)).hasSize(distinct);
        return comparisons.get();
    }

    @Test
    void comparisons_grow_linearly_with_the_number_of_identifiers() {
        long at20k = comparisons(20_000);
        long at40k = comparisons(40_000);
        assertThat(at20k).isLessThanOrEqualTo(2L * 20_000);
        assertThat(at40k).isLessThanOrEqualTo(2L * 40_000);
        assertThat(at40k).isLessThanOrEqualTo(2 * at20k + 1_000);
    }

    @Test
    void a_message_with_200000_identifiers_converts_with_every_distinct_identifier_once_in_order() {
        int count = 200_000;
        StringBuilder pid3 = new StringBuilder();
        for (int i = 0; i < count; i++) {
            pid3.append(i == 0 ? "" : "~").append("ID").append(i % (count / 2)).append("^^^FAC^MR");
        }
        byte[] message = ("MSH|^~\\&|APP|FAC|L|L|20261127||ADT^A08|SCALE-1|P|2.5\rEVN|A08|20261127\rPID|1||" + pid3
                + "||TEST^SCALE\rPV1|1|O\r").getBytes(StandardCharsets.US_ASCII);
        Conversion conversion = new MessageConverter(new Hl7Parser(), ValidationProfile.LENIENT, StandardCharsets.ISO_8859_1)
                .convert(message, new Receipt("01a21e2c-0000-7000-8000-000000000000", "test", Instant.now(), null));
        assertThat(conversion).isInstanceOf(Conversion.Accepted.class);
        List<String> ids = ((Conversion.Accepted) conversion).metadata().patientIdentifiers();
        assertThat(ids).hasSize(count / 2).startsWith("FAC#MR#ID0", "FAC#MR#ID1").endsWith("FAC#MR#ID99999");
    }
}
