package hl7lake.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options (and {@code --flag}s) of a command or a bench, read one way for
 * all of them: a name it does not take, a name without its value or a value that is not what the
 * option wants is a {@link Usage} error naming the option, which the command answers with its usage
 * line and exit status 2 — never a stack trace.
 */
public final class Options {

    private final Map<String, List<String>> values;

    private Options(Map<String, List<String>> values) {
        this.values = values;
    }

    /** {@code args} where each of {@code names} takes a value. */
    public static Options parse(String[] args, String... names) throws Usage {
        return parse(args, List.of(names), Set.of());
    }

    /** {@code args} where each of {@code names} takes a value and each of {@code flags} none. */
    public static Options parse(String[] args, Collection<String> names, Collection<String> flags) throws Usage {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (flags.contains(name)) {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add("true");
            } else if (names.contains(name)) {
                if (i + 1 == args.length) {
                    throw new Usage(name + " needs a value");
                }
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(args[++i]);
            } else {
                throw new Usage("unknown option " + name);
            }
        }
        return new Options(values);
    }

    /** Whether the option (or flag) was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The option's value (the last, when given more than once), or {@code orElse}. */
    public String text(String name, String orElse) {
        List<String> given = values.get(name);
        return given == null ? orElse : given.get(given.size() - 1);
    }

    /** Every value of an option that may be given more than once, in order. */
    public List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    /** The option's value as a whole number of at least {@code min}, or {@code orElse}. */
    public int number(String name, int orElse, int min) throws Usage {
        String text = text(name, null);
        if (text == null) {
            return orElse;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Usage(name + " is a whole number of at least " + min + ", not " + text);
    }

    /** A command line that does not fit the command's usage: the message names what is wrong. */
    public static final class Usage extends Exception {
        public Usage(String message) {
            super(message);
        }
    }
}
