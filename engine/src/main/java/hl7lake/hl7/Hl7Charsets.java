package hl7lake.hl7;

import ca.uhn.hl7v2.ErrorCode;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * HL7 table 0211 (MSH-18) to Java charsets. HAPI has such a table ({@code ca.uhn.hl7v2.llp.HL7Charsets})
 * but it is package-private, so it cannot be called from here.
 *
 * <p>Only ASCII-compatible charsets are accepted: ER7 framing (segment and field separators) is
 * found in the bytes before decoding, which a UTF-16 or UTF-32 message would defeat.
 */
public final class Hl7Charsets {

    private static final Map<String, String> TABLE_0211 = Map.ofEntries(
            Map.entry("ASCII", "US-ASCII"),
            Map.entry("8859/1", "ISO-8859-1"), Map.entry("8859/2", "ISO-8859-2"),
            Map.entry("8859/3", "ISO-8859-3"), Map.entry("8859/4", "ISO-8859-4"),
            Map.entry("8859/5", "ISO-8859-5"), Map.entry("8859/6", "ISO-8859-6"),
            Map.entry("8859/7", "ISO-8859-7"), Map.entry("8859/8", "ISO-8859-8"),
            Map.entry("8859/9", "ISO-8859-9"), Map.entry("8859/15", "ISO-8859-15"),
            Map.entry("ISO IR6", "US-ASCII"), Map.entry("ISO IR14", "JIS_X0201"),
            Map.entry("ISO IR87", "x-JIS0208"), Map.entry("ISO IR159", "JIS_X0212-1990"),
            Map.entry("GB 18030-2000", "GB18030"), Map.entry("KS X 1001", "EUC-KR"),
            Map.entry("CNS 11643-1992", "x-EUC-TW"), Map.entry("BIG-5", "Big5"),
            // "UNICODE" is deprecated; senders that use it over byte-framed ER7 in practice mean UTF-8.
            Map.entry("UNICODE", "UTF-8"), Map.entry("UNICODE UTF-8", "UTF-8"));

    private Hl7Charsets() {
    }

    /** The Java charset for an MSH-18 value. */
    public static Charset forMsh18(String msh18) throws Hl7Rejection {
        String name = TABLE_0211.get(msh18.trim().toUpperCase(Locale.ROOT));
        if (name == null || !Charset.isSupported(name)) {
            throw new Hl7Rejection(ErrorCode.TABLE_VALUE_NOT_FOUND, new ErrorLocation("MSH", 1, 18, 1, 0, 0),
                    "MSH-18 character set is not one of HL7 table 0211 that can be read from byte-framed ER7");
        }
        return name.equals("UTF-8") ? StandardCharsets.UTF_8 : Charset.forName(name);
    }
}
