package hl7lake.hl7;

import ca.uhn.hl7v2.ErrorCode;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one message into text with the charset HL7 says it has: MSH-18 when valued,
 * else UTF-8 when the bytes are valid UTF-8, else the configured fallback. Bytes that are not valid
 * in the chosen charset are a rejection naming the segment and field they are in; nothing is ever
 * replaced silently.
 */
public final class Hl7TextDecoder {

    private final Charset fallback;

    public Hl7TextDecoder(Charset fallback) {
        this.fallback = fallback;
    }

    /** Text and the charset it was read with; {@code ascii} when every byte was ASCII (so text = bytes). */
    public record Decoded(String text, Charset charset, boolean ascii) {
        Decoded(String text, Charset charset) {
            this(text, charset, false);
        }
    }

    /** Decodes with the charset that {@code msh18} (MSH-18 as sent, may be empty) names or implies. */
    public Decoded decode(byte[] bytes, String msh18) throws Hl7Rejection {
        return decode(bytes, msh18, null);
    }

    /** MSH-18 first; else the charset the transport declared ({@code transport}, may be null); else UTF-8, else the fallback. */
    public Decoded decode(byte[] bytes, String msh18, Charset transport) throws Hl7Rejection {
        if (!msh18.isEmpty()) {
            Charset declared = Hl7Charsets.forMsh18(msh18);
            return new Decoded(strict(bytes, declared), declared);
        }
        if (transport != null && !isAscii(bytes)) {
            return new Decoded(strict(bytes, transport), transport);
        }
        if (isAscii(bytes)) {
            // Most feeds are plain ASCII, which is valid UTF-8 and needs no strict decoder.
            return new Decoded(new String(bytes, StandardCharsets.US_ASCII), StandardCharsets.UTF_8, true);
        }
        try {
            return new Decoded(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString(), StandardCharsets.UTF_8);
        } catch (CharacterCodingException notUtf8) {
            return new Decoded(strict(bytes, fallback), fallback);
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static String strict(byte[] bytes, Charset charset) throws Hl7Rejection {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) (bytes.length * (double) decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, locate(bytes, in.position()),
                    "bytes are not valid " + charset.name() + " text");
        }
        return out.flip().toString();
    }

    /** The segment and field holding byte {@code offset}, found from the ER7 separators before it. */
    static ErrorLocation locate(byte[] bytes, int offset) {
        int segmentStart = 0;
        int sequence = 0;
        for (int i = 0; i < offset; i++) {
            if ((bytes[i] == '\r' || bytes[i] == '\n') && i + 1 < bytes.length && bytes[i + 1] != '\n') {
                segmentStart = i + 1;
            }
        }
        if (offset - segmentStart < 3) {
            return ErrorLocation.message();
        }
        String segment = new String(bytes, segmentStart, 3, StandardCharsets.ISO_8859_1);
        if (!Er7Segments.isSegmentId(segment)) {
            return ErrorLocation.message();
        }
        // Earlier segments with the same id; the terminator just before this segment is not one of them.
        for (int i = 0; i < segmentStart - 1; i++) {
            if ((bytes[i] == '\r' || bytes[i] == '\n') && i + 3 < bytes.length
                    && new String(bytes, i + 1, 3, StandardCharsets.ISO_8859_1).equals(segment)) {
                sequence++;
            }
        }
        byte fieldSeparator = bytes.length > 3 ? bytes[3] : (byte) '|';
        int field = segment.equals("MSH") ? 1 : 0;
        for (int i = segmentStart + 3; i < offset; i++) {
            if (bytes[i] == fieldSeparator) {
                field++;
            }
        }
        return ErrorLocation.field(segment, sequence + 1, field);
    }
}
