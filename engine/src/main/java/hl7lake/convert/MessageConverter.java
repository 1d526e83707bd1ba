package hl7lake.convert;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import hl7lake.hl7.ErrorLocation;
import hl7lake.hl7.Er7Segments;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.Hl7TextDecoder;
import hl7lake.hl7.MessageMetadata;
import hl7lake.hl7.Bom;
import hl7lake.hl7.MshHeader;
import hl7lake.hl7.DataTypeRules;
import hl7lake.hl7.ValidationProfile;
import hl7lake.json.DocumentMeta;
import hl7lake.json.Hl7Names;
import hl7lake.json.JsonDocumentWriter;
import hl7lake.json.StagingDocument;
import hl7lake.json.PrimitiveListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * From the bytes of one message to either an accepted message (its JSON document and catalog
 * metadata) or a rejection the sender can act on (docs/architecture.md §5, §6). Thread-safe: one
 * instance serves the whole application.
 */
public final class MessageConverter {

    private final Hl7Parser parser;
    private final Hl7TextDecoder decoder;
    private final DataTypeRules rules = new DataTypeRules();
    private final JsonDocumentWriter documents = new JsonDocumentWriter(new Hl7Names());
    private final ValidationProfile profile;

    public MessageConverter(Hl7Parser parser, ValidationProfile profile, Charset fallbackCharset) {
        this.parser = parser;
        this.profile = profile;
        this.decoder = new Hl7TextDecoder(fallbackCharset);
    }

    public Conversion convert(byte[] bytes, Receipt receipt) {
        return convert(bytes, receipt, null);
    }

    /** {@code declaredCharset}: what the transport declared (HTTP's charset), used when MSH-18 is empty; may be null. */
    public Conversion convert(byte[] bytes, Receipt receipt, Charset declaredCharset) {
        return convert(bytes, sha256(bytes), receipt, declaredCharset);
    }

    /** As above, for a caller that has already hashed the bytes ({@code sha256} is {@link #sha256} of them). */
    public Conversion convert(byte[] received, String sha256, Receipt receipt, Charset declaredCharset) {
        MshHeader header = MshHeader.UNREADABLE;
        Charset charset = StandardCharsets.UTF_8;
        // A UTF-8 byte order mark is not content (the raw zone keeps it; sha256 is of the bytes as received).
        byte[] bytes = Bom.strip(received);
        try {
            // The MSH is ASCII in every charset we accept, so MSH-18 can be read before decoding.
            try {
                header = MshHeader.lenient(bytes);
            } catch (Hl7Rejection unreadable) {
                // still address the ACK: MSA-2 = MSH-10 whenever the field separator alone can read it
                return new Conversion.Rejected(MshHeader.forReply(bytes), charset, sha256, unreadable);
            }
            Hl7TextDecoder.Decoded decoded = decoder.decode(bytes, header.characterSet(), declaredCharset);
            charset = decoded.charset();
            if (!decoded.ascii()) {
                header = MshHeader.lenient(decoded.text()); // now with non-ASCII values read right
            }
            header.check();
            String er7 = Er7Segments.normalize(decoded.text(), header.fieldSeparator());
            Message message = parser.parse(er7, header);
            return accepted(message, header, charset, sha256, receipt);
        } catch (Hl7Rejection rejection) {
            return new Conversion.Rejected(header, charset, sha256, rejection);
        } catch (RuntimeException e) {
            // a defect of ours or of a library on this content: never thrown at the door; AR, as an internal error
            return new Conversion.Rejected(header, charset, sha256, new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR,
                    ErrorLocation.message(), "the message could not be processed (" + e.getClass().getSimpleName() + ")"));
        }
    }

    private Conversion accepted(Message message, MshHeader header, Charset charset, String sha256, Receipt receipt)
            throws Hl7Rejection {
        DataTypeChecker checker = new DataTypeChecker(rules, profile);
        try {
            MessageMetadata metadata = MessageMetadata.of(message, header, charset);
            StagingDocument document = documents.write(message,
                    profile == ValidationProfile.LENIENT ? PrimitiveListener.NONE : checker,
                    () -> new DocumentMeta(receipt.messageId(), receipt.door(), receipt.receivedAt(),
                            receipt.rawUri(), sha256, header.versionId(), Hl7Parser.structureOf(message, header), header.messageType(),
                            header.triggerEvent(), metadata.sendingApplication(), metadata.sendingFacility(),
                            metadata.controlId(),
                            firstComponent(metadata.messageTime(), header.componentSeparator()), null, metadata.patientIdentifiers(),
                            charset.name(), checker.warnings(), checker.count()));
            return new Conversion.Accepted(header, charset, sha256, metadata, document.bytes(), document.patientUuidAt(),
                    checker.warnings(),
                    checker.count());
        } catch (DataTypeChecker.Violation violation) {
            throw violation.rejection;
        } catch (HL7Exception e) {
            throw new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(),
                    "the parsed message could not be read back (" + e.getClass().getSimpleName() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** MSH-7's time without a degree of precision after it (v2.5 TS.2). */
    private static String firstComponent(String value, char separator) {
        int at = value.indexOf(separator);
        return at < 0 ? value : value.substring(0, at);
    }

    /** Hex SHA-256 of a message's bytes, as the catalog and the document's meta record it. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(SHA256.get().digest(bytes));
    }

    /** MessageDigest.getInstance looks the provider up on each call; one digest per thread is reused instead. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });
}
