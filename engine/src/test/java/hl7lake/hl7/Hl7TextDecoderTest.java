package hl7lake.hl7;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Hl7TextDecoderTest {

    private final Hl7TextDecoder decoder = new Hl7TextDecoder(Charset.forName("windows-1252"));

    @ParameterizedTest(name = "MSH-18 {0} -> {1}")
    @CsvSource({
        "ASCII, US-ASCII", "8859/1, ISO-8859-1", "8859/15, ISO-8859-15", "UNICODE UTF-8, UTF-8",
        "unicode utf-8, UTF-8", "UNICODE, UTF-8", "GB 18030-2000, GB18030", "KS X 1001, EUC-KR", "BIG-5, Big5",
    })
    void msh18_decides_the_charset(String msh18, String java) throws Exception {
        assertThat(Hl7Charsets.forMsh18(msh18)).isEqualTo(Charset.forName(java));
    }

    @ParameterizedTest
    @CsvSource({"UNICODE UTF-16", "UNICODE UTF-32", "EBCDIC", "KLINGON"})
    void charsets_that_byte_framed_er7_cannot_carry_are_rejected_at_msh18(String msh18) {
        assertThatThrownBy(() -> Hl7Charsets.forMsh18(msh18)).isInstanceOfSatisfying(Hl7Rejection.class,
                r -> assertThat(r.location()).hasToString("MSH-18"));
    }

    @Test
    void valid_utf8_without_msh18_is_read_as_utf8() throws Exception {
        byte[] bytes = "MSH|^~\\&|A|B|C|D|2026||ADT^A08|1|P|2.5\rPID|1||1||MÜLLER^ZOË".getBytes(StandardCharsets.UTF_8);
        Hl7TextDecoder.Decoded decoded = decoder.decode(bytes, "");
        assertThat(decoded.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(decoded.text()).contains("MÜLLER^ZOË");
    }

    @Test
    void bytes_that_are_not_utf8_fall_back_to_the_configured_charset() throws Exception {
        byte[] bytes = "MSH|^~\\&|A|B|C|D|2026||ADT^A08|1|P|2.5\rPID|1||1||MÜLLER".getBytes(StandardCharsets.ISO_8859_1);
        Hl7TextDecoder.Decoded decoded = decoder.decode(bytes, "");
        assertThat(decoded.charset().name()).isEqualTo("windows-1252");
        assertThat(decoded.text()).contains("MÜLLER");
    }

    @Test
    void invalid_bytes_are_never_replaced_but_rejected_where_they_are() {
        byte[] bytes = "MSH|^~\\&|A|B|C|D|2026||ADT^A08|1|P|2.5\rEVN|A08\rPID|1||1||M?LLER"
                .getBytes(StandardCharsets.ISO_8859_1);
        bytes[bytes.length - 5] = (byte) 0xDC; // Latin-1 Ü in a message that says it is UTF-8
        assertThatThrownBy(() -> decoder.decode(bytes, "UNICODE UTF-8")).isInstanceOfSatisfying(Hl7Rejection.class,
                r -> {
                    assertThat(r.code().getCode()).isEqualTo(102);
                    assertThat(r.location()).hasToString("PID-5");
                    assertThat(r.reason()).doesNotContain("LLER");
                });
    }

    @Test
    void a_byte_undefined_in_windows_1252_is_rejected_not_replaced() {
        byte[] bytes = "MSH|^~\\&|A|B|C|D|2026||ADT^A08|1|P|2.5\rPID|1||1||AB".getBytes(StandardCharsets.ISO_8859_1);
        bytes[bytes.length - 1] = (byte) 0x81;
        assertThatThrownBy(() -> decoder.decode(bytes, "")).isInstanceOf(Hl7Rejection.class);
    }
}
