package hl7lake.convert;

import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.ValidationProfile;
import hl7lake.mllp.Mutations;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The converter against generated input (every sample, mutated as {@link Mutations} does; and
 * random bytes around an MSH), in each profile: it never throws; an accepted message has its
 * document; every rejection has an HL7 table 0357 code, a location in README's format and a reason.
 */
class ConvertPropertyTest {

    /** README's locations: MSH-9, PID-3[2].4.1, OBX(3)-5, OBX(2)-2, segment 3, message. */
    static final Pattern LOCATION = Pattern.compile(
            "message|segment [1-9][0-9]*|[A-Z][A-Z0-9]{2}(\\([1-9][0-9]*\\))?(-[1-9][0-9]*(\\[[1-9][0-9]*\\])?(\\.[1-9][0-9]*(\\.[1-9][0-9]*)?)?)?");
    private static final ValidationProfile[] PROFILES = ValidationProfile.values();

    @Test
    void mutated_samples_convert_or_are_rejected_with_a_code_and_a_location() {
        qt().withExamples(3000).withFixedSeed(20261127L)
                .forAll(longs().all().map(Mutations::of), integers().between(0, PROFILES.length - 1))
                .checkAssert((generated, profile) -> check(generated.bytes(), PROFILES[profile], generated.toString()));
    }

    @Test
    void random_bytes_after_an_msh_convert_or_are_rejected_with_a_code_and_a_location() {
        qt().withExamples(2000).withFixedSeed(7L)
                .forAll(longs().all())
                .checkAssert(seed -> {
                    Random random = new Random(seed);
                    byte[] tail = new byte[random.nextInt(400)];
                    random.nextBytes(tail);
                    String head = random.nextBoolean() ? "MSH|^~\\&|A|B|C|D|2026||ADT^A01|R" + seed + "|P|2.5|" : "MSH";
                    byte[] head8 = head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    byte[] bytes = new byte[head8.length + tail.length];
                    System.arraycopy(head8, 0, bytes, 0, head8.length);
                    System.arraycopy(tail, 0, bytes, head8.length, tail.length);
                    check(bytes, PROFILES[random.nextInt(PROFILES.length)], "seed " + seed);
                });
    }

    private static void check(byte[] bytes, ValidationProfile profile, String what) {
        Conversion conversion;
        try {
            conversion = Conversions.convert(bytes, profile);
        } catch (RuntimeException e) {
            throw new AssertionError(what + " (" + profile + "): convert threw " + e, e);
        }
        assertThat(conversion.header()).as(what).isNotNull();
        assertThat(conversion.charset()).as(what).isNotNull();
        if (conversion instanceof Conversion.Accepted accepted) {
            assertThat(accepted.document()).as(what).isNotEmpty();
            assertThat(accepted.metadata().structure()).as(what).matches("[A-Z0-9_]+");
            return;
        }
        Hl7Rejection rejection = ((Conversion.Rejected) conversion).rejection();
        assertThat(rejection.code()).as(what).isNotNull();
        assertThat(rejection.code().getCode()).as(what + ": an HL7 table 0357 code").isBetween(100, 207);
        assertThat(rejection.location().toString()).as(what + ": " + rejection).matches(LOCATION);
        assertThat(rejection.reason()).as(what).isNotBlank();
    }
}
