package hl7lake.convert;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import hl7lake.hl7.ValidationProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AWS blog's own messages (../shared/seed-samples, skipped when absent): all 17 accepted in
 * the default profile; the ones HAPI's default validation throws on are accepted with warnings.
 */
class SeedSamplesTest {

    private record Seed(Path file, int index, byte[] bytes) {
        @Override
        public String toString() {
            return file.getFileName() + "[" + index + "]";
        }
    }

    private static final List<Seed> SEEDS = new ArrayList<>();

    @BeforeAll
    static void load() {
        Assumptions.assumeTrue(TestFiles.seedPresent(), "../shared/seed-samples is not beside the project");
        for (Path file : TestFiles.seedFiles()) {
            List<byte[]> messages = Conversions.messages(TestFiles.read(file));
            for (int i = 0; i < messages.size(); i++) {
                SEEDS.add(new Seed(file, i, messages.get(i)));
            }
        }
    }

    @Test
    void all_17_messages_in_the_11_files_are_accepted_each_with_a_document() {
        assertThat(TestFiles.seedFiles()).hasSize(11);
        assertThat(SEEDS).hasSize(17);
        for (Seed seed : SEEDS) {
            assertThat(Conversions.json(Conversions.convert(seed.bytes())).get("msh")).as(seed.toString()).isNotNull();
        }
    }

    @Test
    void messages_hapi_default_validation_throws_on_are_the_ones_accepted_with_warnings() throws Exception {
        HapiContext hapiDefault = new DefaultHapiContext();
        hapiDefault.setModelClassFactory(new CanonicalModelClassFactory("2.5"));
        PipeParser validating = hapiDefault.getPipeParser();
        List<String> hapiThrows = new ArrayList<>();
        List<String> warned = new ArrayList<>();
        for (Seed seed : SEEDS) {
            String er7 = new String(seed.bytes(), StandardCharsets.UTF_8);
            try {
                validating.parse(er7);
            } catch (HL7Exception e) {
                hapiThrows.add(seed.toString());
            }
            if (Conversions.accepted(Conversions.convert(seed.bytes())).warningCount() > 0) {
                warned.add(seed.toString());
            }
        }
        assertThat(hapiThrows).hasSizeGreaterThanOrEqualTo(9);
        assertThat(warned).containsExactlyElementsOf(hapiThrows);
    }

    @Test
    void strict_rejects_a_bad_msh7_at_msh7_where_hapi_would_say_msh6() {
        Seed adtV25 = SEEDS.stream().filter(s -> s.toString().equals("test_er7_msg.msg2.er7[0]")).findFirst().orElseThrow();
        Conversion.Rejected rejected = (Conversion.Rejected) Conversions.convert(adtV25.bytes(), ValidationProfile.STRICT);
        assertThat(rejected.rejection().code().getCode()).isEqualTo(102);
        assertThat(rejected.rejection().location()).hasToString("MSH-7.1");
    }

    @Test
    void the_blogs_athena_query_path_resolves_on_the_adt_a01_messages() {
        List<JsonNode> adtA01 = SEEDS.stream().filter(s -> s.file().getFileName().toString().equals("adt01.txt"))
                .map(s -> Conversions.json(Conversions.convert(s.bytes()))).toList();
        assertThat(adtA01).hasSize(2);
        // SELECT msh.message_control_id, pid.patient_name[1].given_name, pid.patient_name[1].family_name.surname
        JsonNode second = adtA01.get(1);
        assertThat(second.at("/msh/message_control_id").asText()).isEqualTo("MSGID10001");
        assertThat(second.at("/pid/patient_name/0/given_name").asText()).isEqualTo("JOHN");
        assertThat(second.at("/pid/patient_name/0/family_name/surname").asText()).isEqualTo("DOE");
        JsonNode first = adtA01.get(0);
        assertThat(first.at("/msh/message_control_id").asText()).isEqualTo("200760910183213200723");
        assertThat(first.at("/pid/patient_name").isArray()).isTrue();
        assertThat(first.at("/pid/patient_name/0/family_name/surname").isNull()).as("PID-5 is \"\"").isTrue();
    }
}
