package hl7lake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.SplitMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.nio.charset.StandardCharsets;

/**
 * The message bytes in a POST body, by its content type (docs/architecture.md §2 HTTP):
 * <ul>
 *   <li>{@code application/json}: the AWS blog's envelope {@code {"msg": "<base64>", "encoding":
 *       "utf-8", "segTerm": ["\r\n", "\n"]}}; {@code encoding} is the charset when MSH-18 is empty;
 *       {@code segTerm} names the segment terminators used (CR, LF and CRLF are all read anyway);</li>
 *   <li>{@code text/plain}: the Base64 of the message;</li>
 *   <li>{@code application/hl7-v2}, {@code x-application/hl7-v2+er7}: the message itself, its charset
 *       from the {@code charset} parameter when MSH-18 is empty.</li>
 * </ul>
 * Anything else, form-encoded included, is 415; a body over the limit 413; an unreadable one 400
 * (kept in the error zone). A body of several messages (or an FHS/BHS batch) is split as a drop file
 * is, each message its exact slice of the bytes received.
 */
final class RequestBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ER7 = Set.of("application/hl7-v2", "x-application/hl7-v2+er7",
            "application/hl7-v2+er7");
    private static final Set<String> SEGMENT_TERMINATORS = Set.of("\r", "\n", "\r\n");

    private RequestBodies() {
    }

    /** What the body holds: the messages and the charset its transport declared (may be null). */
    record Parsed(List<byte[]> messages, Charset declaredCharset) {
    }

    /** Throws 415 for a content type we do not read. */
    private static String mediaType(String contentType) throws HttpProblem {
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !media.equals("text/plain") && !ER7.contains(media)) {
            throw new HttpProblem.UnsupportedMediaType("Content-Type must be application/json (the envelope), text/plain (Base64) "
                    + "or application/hl7-v2 (ER7)" + (media.isEmpty() ? "" : ", not " + media));
        }
        return media;
    }

    /** {@code body} is read only once the content type is one we read: a form is never parsed as a message. */
    static Parsed parse(String contentType, Supplier<byte[]> read, int maxBytes) throws HttpProblem {
        String media = mediaType(contentType);
        byte[] body = read.get();
        if (body == null || body.length == 0) {
            throw new HttpProblem.EmptyBody("the body is empty");
        }
        byte[] message;
        Charset charset;
        if (media.equals("application/json")) {
            JsonNode envelope;
            try {
                envelope = JSON.readTree(body);
            } catch (IOException e) {
                throw new HttpProblem.Unreadable("the body is not JSON", body);
            }
            if (envelope == null || !envelope.path("msg").isTextual()) {
                throw new HttpProblem.Unreadable("the JSON envelope needs \"msg\": the Base64 of the message", body);
            }
            message = base64(envelope.get("msg").asText(), body);
            charset = envelope.hasNonNull("encoding") ? envelopeCharset(envelope.get("encoding").asText(), body) : null;
            for (JsonNode terminator : envelope.path("segTerm")) {
                if (!SEGMENT_TERMINATORS.contains(terminator.asText())) {
                    throw new HttpProblem.Unreadable("segTerm may list \"\\r\", \"\\n\" and \"\\r\\n\" only", body);
                }
            }
        } else if (media.equals("text/plain")) {
            message = base64(new String(body, StandardCharsets.US_ASCII), body);
            charset = null;
        } else {
            message = body;
            charset = charsetParameter(contentType);
        }
        if (message.length > maxBytes) {
            throw new HttpProblem.TooLarge("the message is larger than the " + maxBytes + "-byte limit");
        }
        List<byte[]> messages = split(message, maxBytes);
        if (messages.isEmpty()) {
            throw new HttpProblem.Unreadable("the body holds a batch envelope but no message", body);
        }
        return new Parsed(messages, charset);
    }

    /**
     * One message: exactly the bytes received (decoded from Base64 where the body is), final
     * terminators and all. Several, or a batch envelope: each message's exact slice of them.
     */
    private static List<byte[]> split(byte[] body, int maxBytes) {
        List<SplitMessage> messages = new ArrayList<>();
        Er7StreamSplitter splitter = new Er7StreamSplitter(new ByteArrayInputStream(body), maxBytes);
        splitter.forEachRemaining(messages::add);
        if (messages.size() == 1 && splitter.summary().batches() == 0 && onlyMessage(body, messages.get(0))) {
            return List.of(body); // the raw zone keeps exactly what was posted
        }
        List<byte[]> slices = new ArrayList<>(messages.size());
        for (SplitMessage m : messages) {
            slices.add(Arrays.copyOfRange(body, (int) m.offset(), (int) (m.offset() + m.length())));
        }
        return slices;
    }

    /**
     * Nothing but a leading UTF-8 byte order mark, blank lines and terminators around the message: no
     * envelope segment, no fragment. (The mark is kept with the message: it is part of what was posted.)
     */
    private static boolean onlyMessage(byte[] body, SplitMessage message) {
        long end = message.offset() + message.length();
        for (int i = hl7lake.hl7.Bom.length(body); i < body.length; i++) {
            if (i == message.offset()) {
                i = (int) end - 1;
                continue;
            }
            byte b = body[i];
            if (b != '\r' && b != '\n' && b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static byte[] base64(String text, byte[] body) throws HttpProblem {
        try {
            return Base64.getDecoder().decode(text.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new HttpProblem.Unreadable("the body is not valid Base64", body);
        }
    }

    private static Charset envelopeCharset(String name, byte[] body) throws HttpProblem {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new HttpProblem.Unreadable("the envelope's encoding is not a charset this engine knows", body);
        }
    }

    private static Charset charsetParameter(String contentType) throws HttpProblem {
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
                return charset(pair[1].trim().replace("\"", ""));
            }
        }
        return null;
    }

    private static Charset charset(String name) throws HttpProblem {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new HttpProblem.UnsupportedMediaType("unknown charset " + name.replaceAll("[^A-Za-z0-9._-]", "?"));
        }
    }
}
