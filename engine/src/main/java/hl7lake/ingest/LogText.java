package hl7lake.ingest;

/**
 * What a log line may show of a value that came from outside (a control id, a batch id, a remote
 * address): at most {@link #MAX} characters, control characters replaced, so that one message
 * cannot make a log line of its own size or forge a line.
 */
public final class LogText {

    public static final int MAX = 64;

    private LogText() {
    }

    public static String cap(Object value) {
        if (value == null) {
            return "?";
        }
        String text = value.toString();
        int length = text.length();
        StringBuilder out = new StringBuilder(Math.min(length, MAX) + 24);
        for (int i = 0; i < Math.min(length, MAX); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (length > MAX) {
            out.append("…(").append(length).append(" chars)");
        }
        return out.toString();
    }
}
