package hl7lake.cli;

import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * The converter settings a command line can change, with the engine's defaults: profile
 * {@code standard}, fallback charset windows-1252, 10 MiB per message.
 */
final class ConverterOptions {

    ValidationProfile profile = ValidationProfile.STANDARD;
    Charset fallbackCharset = Charset.forName("windows-1252");
    int maxMessageBytes = 10 * 1024 * 1024;
    double seconds = 1;
    final List<String> files = new ArrayList<>();

    static ConverterOptions parse(String[] args) {
        ConverterOptions options = new ConverterOptions();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profile" -> options.profile = ValidationProfile.of(value(args, ++i));
                case "--charset-fallback" -> options.fallbackCharset = Charset.forName(value(args, ++i));
                case "--max-message-bytes" -> options.maxMessageBytes = Integer.parseInt(value(args, ++i));
                case "--seconds" -> options.seconds = Double.parseDouble(value(args, ++i));
                default -> options.files.add(args[i]);
            }
        }
        return options;
    }

    MessageConverter converter() {
        return new MessageConverter(new Hl7Parser(), profile, fallbackCharset);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
