package hl7lake.mllp;

import hl7lake.TestFiles;
import hl7lake.convert.Conversions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated inputs for the property tests: every message of every sample (and of the seed samples
 * when they are beside the project), changed as senders and networks change them: MSH-15/16 set to
 * any pair of HL7 table 0155 (or empty), delimiters swapped for others, MSH-2 of 2 to 5 characters,
 * a segment repeated, the message cut short, bytes flipped. Each case is derived from one seed, so a
 * failure names the seed and what was done.
 */
public final class Mutations {

    public static final List<String> CONDITIONS = List.of("", "AL", "NE", "ER", "SU");
    private static final String SPARE = "#!$%*+@/=?";

    private static final List<byte[]> BASES = bases();

    private Mutations() {
    }

    /** One generated message: its bytes and what was done to which sample message. */
    public record Case(byte[] bytes, String description) {
        @Override
        public String toString() {
            return description + " (" + bytes.length + " bytes)";
        }
    }

    private static List<byte[]> bases() {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        files.addAll(TestFiles.invalidSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        List<byte[]> messages = new ArrayList<>();
        for (Path file : files) {
            messages.addAll(Conversions.messages(TestFiles.read(file)));
        }
        return messages;
    }

    public static int baseCount() {
        return BASES.size();
    }

    /** The case of one seed. */
    public static Case of(long seed) {
        Random random = new Random(seed);
        int base = random.nextInt(BASES.size());
        StringBuilder what = new StringBuilder("seed " + seed + ": message " + base);
        // ISO-8859-1 maps bytes 1:1 to chars: edits keep every other byte (UTF-8 sequences included) as it was
        String text = new String(BASES.get(base), StandardCharsets.ISO_8859_1);
        String msh15 = CONDITIONS.get(random.nextInt(CONDITIONS.size()));
        String msh16 = CONDITIONS.get(random.nextInt(CONDITIONS.size()));
        text = withMshFields(text, msh15, msh16);
        what.append(", MSH-15 '").append(msh15).append("' MSH-16 '").append(msh16).append('\'');
        if (random.nextInt(10) < 3) {
            text = swapDelimiters(text, random);
            what.append(", delimiters swapped");
        }
        if (random.nextInt(10) < 3) {
            int length = 2 + random.nextInt(4);
            text = msh2OfLength(text, length);
            what.append(", MSH-2 of ").append(length);
        }
        if (random.nextInt(10) < 2) {
            text = duplicateSegment(text, random);
            what.append(", a segment repeated");
        }
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (random.nextInt(100) < 15 && bytes.length > 1) {
            int keep = 1 + random.nextInt(bytes.length - 1);
            bytes = java.util.Arrays.copyOf(bytes, keep);
            what.append(", cut to ").append(keep).append(" bytes");
        }
        if (random.nextInt(100) < 15) {
            int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(bytes.length);
                byte value = (byte) random.nextInt(256);
                bytes[at] = value == 0x0B || value == 0x1C ? (byte) 0x7F : value; // framing bytes stay framing
            }
            what.append(", ").append(flips).append(" byte(s) flipped");
        }
        return new Case(bytes, what.toString());
    }

    /** MSH-15 and MSH-16 set (the MSH padded with empty fields when it is shorter). */
    static String withMshFields(String text, String msh15, String msh16) {
        int start = text.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
        if (!text.startsWith("MSH", start) || text.length() < start + 4) {
            return text;
        }
        char fieldSep = text.charAt(start + 3);
        int end = endOfSegment(text, start);
        List<String> fields = new ArrayList<>(List.of(text.substring(start, end).split(java.util.regex.Pattern.quote(
                String.valueOf(fieldSep)), -1)));
        while (fields.size() < 16) {
            fields.add("");
        }
        fields.set(14, msh15);
        fields.set(15, msh16);
        return text.substring(0, start) + String.join(String.valueOf(fieldSep), fields) + text.substring(end);
    }

    /** The field separator and encoding characters replaced, everywhere, by characters the message does not use. */
    static String swapDelimiters(String text, Random random) {
        int start = text.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
        if (!text.startsWith("MSH", start) || text.length() < start + 9) {
            return text;
        }
        String old = text.substring(start + 3, start + 8);
        List<Character> unused = new ArrayList<>();
        for (char c : SPARE.toCharArray()) {
            if (text.indexOf(c) < 0) {
                unused.add(c);
            }
        }
        java.util.Collections.shuffle(unused, random);
        if (unused.size() < 2) {
            return text;
        }
        // two of the five swapped: the field separator and one encoding character
        int other = 1 + random.nextInt(4);
        char[] chars = text.toCharArray();
        for (int i = start; i < chars.length; i++) {
            if (chars[i] == old.charAt(0)) {
                chars[i] = unused.get(0);
            } else if (chars[i] == old.charAt(other)) {
                chars[i] = unused.get(1);
            }
        }
        return new String(chars);
    }

    /** MSH-2 made 2 to 5 characters long: cut, or given a truncation character. */
    static String msh2OfLength(String text, int length) {
        int start = text.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
        if (!text.startsWith("MSH", start) || text.length() < start + 4) {
            return text;
        }
        char fieldSep = text.charAt(start + 3);
        int end = text.indexOf(fieldSep, start + 4);
        if (end < 0) {
            return text;
        }
        String msh2 = text.substring(start + 4, end);
        String changed;
        if (length <= msh2.length()) {
            changed = msh2.substring(0, length);
        } else {
            StringBuilder grown = new StringBuilder(msh2);
            for (char c : SPARE.toCharArray()) {
                if (grown.length() < length && c != fieldSep && grown.indexOf(String.valueOf(c)) < 0 && text.indexOf(c) < 0) {
                    grown.append(c);
                }
            }
            changed = grown.toString();
        }
        return text.substring(0, start + 4) + changed + text.substring(end);
    }

    static String duplicateSegment(String text, Random random) {
        List<int[]> segments = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = endOfSegment(text, start);
            segments.add(new int[] {start, Math.min(text.length(), end + 1)});
            start = end + 1;
        }
        int[] chosen = segments.get(random.nextInt(segments.size()));
        String segment = text.substring(chosen[0], chosen[1]);
        if (!segment.endsWith("\r") && !segment.endsWith("\n")) {
            segment = "\r" + segment;
        }
        return text.substring(0, chosen[1]) + segment + text.substring(chosen[1]);
    }

    private static int endOfSegment(String text, int start) {
        int end = start;
        while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
            end++;
        }
        return end;
    }
}
