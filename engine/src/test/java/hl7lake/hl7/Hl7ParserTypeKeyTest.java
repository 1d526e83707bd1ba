package hl7lake.hl7;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The key that decides whether a message is parsed alone: MSH-2, MSH-9 and MSH-12 as written. */
class Hl7ParserTypeKeyTest {

    @Test
    void the_key_is_msh_2_9_and_12_as_written() {
        String er7 = "MSH|^~\\&|APP|FAC|LAKE|LF|20260101||ADT^A04^ADT_A01|CTRL-1|P|2.3.1|||AL\rPID|||42";
        assertThat(Hl7Parser.typeKey(er7, '|')).isEqualTo("^~\\&|ADT^A04^ADT_A01|2.3.1|");
    }

    @Test
    void messages_differing_only_in_other_fields_share_a_key() {
        String a = "MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.5\rOBX|1";
        String b = "MSH|^~\\&|X|Y|Z|W|20270101||ORU^R01|2|T|2.5\rOBX|2";
        assertThat(Hl7Parser.typeKey(a, '|')).isEqualTo(Hl7Parser.typeKey(b, '|'));
    }

    @Test
    void another_separator_or_version_is_another_key() {
        String a = "MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.5";
        String b = "MSH#^~\\&#A#B#C#D#20260101##ORU^R01#1#P#2.5";
        String c = "MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.4";
        assertThat(Hl7Parser.typeKey(a, '|')).isNotEqualTo(Hl7Parser.typeKey(b, '#'))
                .isNotEqualTo(Hl7Parser.typeKey(c, '|'));
    }
}
