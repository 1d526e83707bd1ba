package hl7lake.restage;

import hl7lake.catalog.MessageIndex;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.SplitMessage;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * One message again from its raw bytes: converted by the converter the pipeline uses, with what the
 * pipeline knew when it arrived (its id, door, time, raw object, the charset it was read in), so the
 * document is what ingest writes today; written by {@link LakeWriter} to the key {@link LakeKeys}
 * gives, with the same tag and metadata. An object that already holds exactly that is left alone.
 * When the key differs from the one the catalog names (an older layout), the new object is written,
 * the catalog item pointed at it, and only then the old one removed, so a restage stopped at any
 * point leaves every message with a staging object its catalog item names, and the next run finishes it.
 */
final class Restager {

    /** What became of one message. */
    sealed interface Result {
    }

    /** The staging object already held today's document, at today's key. */
    record Unchanged() implements Result {
    }

    /** Written (and {@code moved} from an older key). */
    record Rewritten(boolean moved) implements Result {
    }

    /** Its raw bytes are rejected by today's converter; the staging object is left as it was. */
    record NoLongerConverts(Hl7Rejection rejection) implements Result {
    }

    private final S3Client s3;
    private final LakeWriter lake;
    private final MessageIndex index;
    private final MessageConverter converter;

    Restager(S3Client s3, LakeWriter lake, MessageIndex index, MessageConverter converter) {
        this.s3 = s3;
        this.lake = lake;
        this.index = index;
        this.converter = converter;
    }

    Result restage(StagedMessage message) {
        byte[] bytes = raw(message);
        String sha256 = MessageConverter.sha256(bytes);
        if (message.sha256() != null && !message.sha256().equals(sha256)) {
            throw new RestageException("its raw bytes do not have the sha256 the catalog recorded");
        }
        Conversion conversion = converter.convert(bytes, sha256, new Receipt(message.messageId(), message.door(),
                message.receivedAt(), lake.uri(message.rawKey())), charset(message.charset()));
        if (conversion instanceof Conversion.Rejected rejected) {
            return new NoLongerConverts(rejected.rejection());
        }
        Conversion.Accepted accepted = (Conversion.Accepted) conversion;
        String structure = accepted.metadata().structure();
        String key = LakeKeys.staging(structure, message.messageId());
        // the document as ingest writes it: with the patient uuid the catalog linked the message to
        byte[] document = accepted.document(message.patientUuid());
        boolean current = holds(key, document, message.rawKey());
        if (!current) {
            lake.staging(key, document, message.rawKey());
        }
        boolean moved = message.stagingKey() == null || !message.stagingKey().equals(key);
        if (moved) {
            index.restaged(message.messageId(), message.stagingKey(), key, structure);
            if (message.stagingKey() != null) {
                lake.delete(message.stagingKey());
            }
        }
        return current && !moved ? new Unchanged() : new Rewritten(moved);
    }

    /**
     * The bytes the pipeline took in for the message: its raw object; for a message of a drop file,
     * its slice of the archive, cut by the same splitter the inbox uses (which joins its segments by CR).
     */
    private byte[] raw(StagedMessage message) {
        if (message.rawKey() == null) {
            throw new RestageException("its catalog item names no raw object");
        }
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> {
                b.bucket(lake.bucket()).key(message.rawKey());
                if (message.inFile()) {
                    b.range("bytes=" + message.rawOffset() + "-" + (message.rawOffset() + message.rawLength() - 1));
                }
            }).asByteArray();
        } catch (NoSuchKeyException gone) {
            throw new RestageException("its raw object is not in the lake");
        }
        if (!message.inFile()) {
            return bytes;
        }
        Er7StreamSplitter split = new Er7StreamSplitter(new ByteArrayInputStream(bytes), bytes.length + 1);
        SplitMessage one = split.hasNext() ? split.next() : null;
        if (one == null || one.bytes() == null || split.hasNext()) {
            throw new RestageException("its slice of the drop file's archive is not one message");
        }
        return one.bytes();
    }

    /** True when {@code key} holds exactly {@code document} as {@link LakeWriter#staging} writes it for {@code rawKey}. */
    private boolean holds(String key, byte[] document, String rawKey) {
        ResponseBytes<GetObjectResponse> existing;
        try {
            existing = s3.getObjectAsBytes(b -> b.bucket(lake.bucket()).key(key));
        } catch (NoSuchKeyException absent) {
            return false;
        }
        GetObjectResponse head = existing.response();
        // the tag is written by the same put as the metadata (LakeWriter.staging), so the metadata stands for both
        return Arrays.equals(existing.asByteArrayUnsafe(), document) && "application/json".equals(head.contentType())
                && rawKey.equals(head.metadata().get("data_src"));
    }

    /** The charset the message was read in when it arrived (the converter uses it only where MSH-18 is empty). */
    private static Charset charset(String name) {
        try {
            return name == null ? null : Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /** A message that cannot be restaged for a reason of the lake's own (ids and keys only, no content). */
    static final class RestageException extends RuntimeException {
        RestageException(String reason) {
            super(reason);
        }
    }
}
