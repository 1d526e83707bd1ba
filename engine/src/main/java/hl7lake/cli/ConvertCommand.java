package hl7lake.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.BatchSummary;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.SplitMessage;
import hl7lake.lake.MessageIds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code convert FILE...}: each message of each file (one, many, or an FHS/BHS batch) as one JSON
 * line, the lake's document or {@code {"rejected": {code, location, reason, control_id}}}.
 * Envelope problems go to stderr. Exit 0 when all were accepted, 1 when any was rejected, 2 on a
 * usage or read error.
 */
public final class ConvertCommand {

    private static final JsonFactory JSON = new JsonFactory();

    private ConvertCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        ConverterOptions options;
        try {
            options = ConverterOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("convert: " + e.getMessage());
            return 2;
        }
        if (options.files.isEmpty()) {
            err.println("usage: convert [--profile standard|strict|lenient] FILE... (- for stdin)");
            return 2;
        }
        MessageConverter converter = options.converter();
        boolean anyRejected = false;
        for (String file : options.files) {
            try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                Er7StreamSplitter splitter = new Er7StreamSplitter(in, options.maxMessageBytes);
                while (splitter.hasNext()) {
                    anyRejected |= !print(converter, splitter.next(), options.maxMessageBytes, out);
                }
                BatchSummary summary = splitter.summary();
                summary.problems().forEach(problem -> err.println(file + ": " + problem));
                if (summary.messages() == 0) {
                    err.println(file + ": no message found");
                    anyRejected = true;
                }
            } catch (IOException | RuntimeException e) {
                err.println(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
                return 2;
            }
        }
        out.flush();
        return anyRejected ? 1 : 0;
    }

    /** Prints one line; true when the message was accepted. */
    private static boolean print(MessageConverter converter, SplitMessage message, int limit, PrintStream out)
            throws IOException {
        if (message.oversize()) {
            writeLine(out, rejected(Hl7Rejection.tooLarge(limit), ""));
            return false;
        }
        Receipt receipt = new Receipt(MessageIds.next(), "file", Instant.now(), null);
        Conversion conversion = converter.convert(message.bytes(), receipt);
        if (conversion instanceof Conversion.Accepted accepted) {
            writeLine(out, accepted.document());
            return true;
        }
        Conversion.Rejected rejected = (Conversion.Rejected) conversion;
        writeLine(out, rejected(rejected.rejection(), rejected.header().controlId()));
        return false;
    }

    /** Bytes, not text: the documents are UTF-8 whatever the platform's default charset. */
    private static void writeLine(PrintStream out, byte[] line) {
        out.write(line, 0, line.length);
        out.write('\n');
    }

    private static byte[] rejected(Hl7Rejection rejection, String controlId) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeObjectFieldStart("rejected");
            json.writeNumberField("code", rejection.code().getCode());
            json.writeStringField("location", rejection.location().toString());
            json.writeStringField("reason", rejection.reason());
            json.writeStringField("control_id", controlId);
            json.writeEndObject();
            json.writeEndObject();
        }
        return bytes.toByteArray();
    }
}
