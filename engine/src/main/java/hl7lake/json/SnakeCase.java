package hl7lake.json;

import java.util.Locale;
import java.util.Map;

/** HL7 long names to the snake_case keys of the JSON document. */
final class SnakeCase {

    /**
     * HAPI's generated method names squash a few v2.5 component names beyond what splitting at case
     * changes can recover ("Suffix (e.g., JR or III)" became {@code SuffixEgJRorIII}).
     */
    private static final Map<String, String> SQUASHED = Map.of(
            "SuffixEgJRorIII", "suffix_eg_jr_or_iii",
            "PrefixEgDR", "prefix_eg_dr",
            "DegreeEgMD", "degree_eg_md");

    private SnakeCase() {
    }

    /** "Set ID - PID" → set_id_pid, "Date/Time of Message" → date_time_of_message. */
    static String ofWords(String words) {
        StringBuilder out = new StringBuilder(words.length());
        boolean gap = false;
        for (int i = 0; i < words.length(); i++) {
            char c = words.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                if (gap && out.length() > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
                gap = false;
            } else {
                gap = true;
            }
        }
        return out.toString();
    }

    /** "IDNumber" → id_number, "FamilyName" → family_name (HAPI's composite getter names). */
    static String ofCamelCase(String camel) {
        String squashed = SQUASHED.get(camel);
        if (squashed != null) {
            return squashed;
        }
        StringBuilder out = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                char before = camel.charAt(i - 1);
                boolean nextLower = i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
                if (Character.isLowerCase(before) || Character.isDigit(before)
                        || (Character.isUpperCase(before) && nextLower)) {
                    out.append('_');
                }
            } else if (c == '_') {
                continue;
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
