package hl7lake.convert;

import ca.uhn.hl7v2.parser.DefaultEscaping;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing in a message is dropped: every non-empty primitive value, found by splitting the ER7 by
 * hand and unescaping it, appears among the document's string values. Runs over every accepted
 * sample of ours, every seed message (when present), and a message made of edge cases.
 */
class LosslessTest {

    /**
     * Fields beyond PID's 39, components beyond CX's 10, a non-repeating field repeated, Z-segments at
     * the root and in a group, escapes, "", and an OBX-5 of composites repeated.
     */
    static final String EDGES = "MSH|^~\\&|EDGE|CASES|LAKE|L|20261102083015||ADT^A01|EDGE-1|P|2.5\r"
            + "EVN|A01|20261102083015\r"
            + "PID|1~2||ID1^^^AUTH^MR^FAC^20200101^20300101^J^D^EXTRA11^EXTRA12&SUB2||LAST\\F\\NAME^FIRST\\S\\X||\"\"|F"
            + "||||||||||||||||||||||||||||||||F40|F41^C2~F41B|F42\r"
            + "PV1|1|I|ROOM^^BED&SUBBED\r"
            + "ZXT|1|A^B&C~D|\\T\\amp|||last\r"
            + "OBX|1|CE|CODE^Obs^L||C1^Coded One^LN~C2^Coded Two&Sub^LN||||||F||||||||||EXTRA23^X\r"
            + "IN1|1|PLAN^Plan|INS|INSURER\r"
            + "ZIN|1|IN GROUP^Z\r";

    static Stream<Arguments> messages() {
        List<Arguments> all = new ArrayList<>();
        for (Path file : TestFiles.acceptedSamples()) {
            List<byte[]> messages = Conversions.messages(TestFiles.read(file));
            for (int i = 0; i < messages.size(); i++) {
                all.add(Arguments.of(file.getFileName() + "[" + i + "]", messages.get(i)));
            }
        }
        if (TestFiles.seedPresent()) {
            for (Path file : TestFiles.seedFiles()) {
                List<byte[]> messages = Conversions.messages(TestFiles.read(file));
                for (int i = 0; i < messages.size(); i++) {
                    all.add(Arguments.of("seed " + file.getFileName() + "[" + i + "]", messages.get(i)));
                }
            }
        }
        all.add(Arguments.of("edge cases", EDGES.getBytes(StandardCharsets.UTF_8)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void every_value_of_the_message_is_in_its_document(String name, byte[] bytes) {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(bytes));
        Set<String> inDocument = new HashSet<>();
        JsonNode document = Conversions.json(accepted);
        String encoding = document.at("/msh/encoding_characters").asText("^~\\&");
        collect(document, inDocument, "[" + java.util.regex.Pattern.quote(encoding.substring(0, 1))
                + (encoding.length() > 3 ? java.util.regex.Pattern.quote(encoding.substring(3, 4)) : "") + "]");
        String text = new String(bytes, accepted.charset());
        text = text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark is not content
        List<String> missing = expectedValues(text).stream().filter(v -> !inDocument.contains(v)).toList();
        assertThat(missing).as("values not in the document").isEmpty();
    }

    private static Set<String> expectedValues(String er7) {
        char fieldSep = er7.charAt(3);
        String encoding = er7.substring(4, er7.indexOf(fieldSep, 4));
        EncodingCharacters chars = new EncodingCharacters(fieldSep, encoding);
        DefaultEscaping escaping = new DefaultEscaping();
        Set<String> values = new HashSet<>();
        values.add(String.valueOf(fieldSep));
        values.add(encoding);
        for (String segment : er7.split("[\r\n]+")) {
            if (segment.length() <= 4) {
                continue;
            }
            String fields = segment.startsWith("MSH") ? segment.substring(4 + encoding.length() + 1) : segment.substring(4);
            for (String field : split(fields, fieldSep)) {
                for (String repetition : split(field, encoding.charAt(1))) {
                    for (String component : split(repetition, encoding.charAt(0))) {
                        for (String sub : split(component, encoding.charAt(3))) {
                            if (!sub.isEmpty() && !sub.equals("\"\"")) {
                                values.add(escaping.unescape(sub, chars));
                            }
                        }
                    }
                }
            }
        }
        return values;
    }

    private static String[] split(String text, char separator) {
        return text.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
    }

    /**
     * Every string value; a string in an array (a varies field such as OBX-5 holds each repetition as
     * one string, its parts joined by the message's separators) also counts by its parts.
     */
    private static void collect(JsonNode node, Set<String> out, String separators) {
        if (node.isArray()) {
            node.forEach(element -> {
                if (element.isTextual()) {
                    out.addAll(List.of(element.asText().split(separators)));
                }
            });
        }
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collect(child, out, separators));
    }
}
