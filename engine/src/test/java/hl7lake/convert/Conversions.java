package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.SplitMessage;
import hl7lake.hl7.ValidationProfile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Test helpers: one shared parser, converters per profile, and the JSON of a document. */
public final class Conversions {

    public static final Hl7Parser PARSER = new Hl7Parser();
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<ValidationProfile, MessageConverter> CONVERTERS = Map.of(
            ValidationProfile.STANDARD, converter(ValidationProfile.STANDARD),
            ValidationProfile.STRICT, converter(ValidationProfile.STRICT),
            ValidationProfile.LENIENT, converter(ValidationProfile.LENIENT));

    private Conversions() {
    }

    static MessageConverter converter(ValidationProfile profile) {
        return new MessageConverter(PARSER, profile, Charset.forName("windows-1252"));
    }

    static Conversion convert(byte[] message, ValidationProfile profile) {
        return CONVERTERS.get(profile).convert(message, new Receipt("01900000-0000-7000-8000-000000000001", "test",
                Instant.parse("2026-11-23T10:15:30.123Z"), "s3://hl7lake/raw/hl7v2/test.hl7"));
    }

    public static Conversion convert(byte[] message) {
        return convert(message, ValidationProfile.STANDARD);
    }

    /** The messages of a file, as the splitter cuts them. */
    public static List<byte[]> messages(byte[] file) {
        List<byte[]> messages = new ArrayList<>();
        Iterator<SplitMessage> splitter = new Er7StreamSplitter(new ByteArrayInputStream(file), 10 << 20);
        splitter.forEachRemaining(m -> messages.add(m.bytes()));
        return messages;
    }

    static Conversion.Accepted accepted(Conversion conversion) {
        if (conversion instanceof Conversion.Accepted accepted) {
            return accepted;
        }
        throw new AssertionError("rejected: " + ((Conversion.Rejected) conversion).rejection());
    }

    static JsonNode json(Conversion conversion) {
        try {
            return JSON.readTree(accepted(conversion).document());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
