package hl7lake.json;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import hl7lake.hl7.Warning;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;
import com.fasterxml.jackson.core.StreamWriteFeature;

/**
 * The whole document as one line of UTF-8 JSON: {@code meta} first, then the message. The body is
 * written first (its walk finds the warnings that meta reports), then meta, and the two are joined.
 */
public final class JsonDocumentWriter {

    // Auto-closing would end the document right after meta; the body is joined on after it.
    private final JsonFactory factory = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private final Hl7JsonWriter body;

    public JsonDocumentWriter(Hl7Names names) {
        this.body = new Hl7JsonWriter(names);
    }

    /** {@code meta} is asked for after the walk, so it can carry what the listener collected. */
    public StagingDocument write(Message message, PrimitiveListener listener, Supplier<DocumentMeta> meta)
            throws IOException, HL7Exception {
        Buffers buffers = BUFFERS.get();
        buffers.body.reset();
        try (JsonGenerator generator = factory.createGenerator(buffers.body)) {
            generator.writeStartObject();
            body.writeFields(message, generator, listener);
            generator.writeEndObject();
        }
        buffers.meta.reset();
        int patientUuidAt;
        try (JsonGenerator generator = factory.createGenerator(buffers.meta)) {
            generator.writeStartObject();
            generator.writeFieldName("meta");
            patientUuidAt = writeMeta(generator, meta.get(), buffers.meta);
        }
        // body is "{...}": its "{" gives way to meta's "," (or goes, with the body, when the body is empty).
        boolean emptyBody = buffers.body.size() <= 2;
        byte[] document = new byte[buffers.meta.size() + (emptyBody ? 1 : buffers.body.size())];
        int at = buffers.meta.copyTo(document, 0);
        if (emptyBody) {
            document[at] = '}';
        } else {
            document[at] = ',';
            buffers.body.copyTo(document, at + 1, 1);
        }
        if (buffers.body.capacity() > KEEP_BUFFER_BYTES) {
            BUFFERS.remove(); // one huge document must not pin its buffer to the thread for good
        }
        return new StagingDocument(document, patientUuidAt);
    }

    /** Output buffers reused by each thread, so that a document costs one exact-size array. */
    private static final int KEEP_BUFFER_BYTES = 1024 * 1024;
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        final Bytes body = new Bytes(8192);
        final Bytes meta = new Bytes(1024);
    }

    /** A ByteArrayOutputStream that copies out without an intermediate array. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int size) {
            super(size);
        }

        int capacity() {
            return buf.length;
        }

        int copyTo(byte[] target, int offset) {
            System.arraycopy(buf, 0, target, offset, count);
            return offset + count;
        }

        void copyTo(byte[] target, int offset, int skip) {
            System.arraycopy(buf, skip, target, offset, count - skip);
        }
    }

    /** Returns the offset where the patient uuid is to be inserted, or -1 when meta has it. */
    private static int writeMeta(JsonGenerator generator, DocumentMeta meta, Bytes out) throws IOException {
        generator.writeStartObject();
        generator.writeNumberField("schema_version", DocumentMeta.SCHEMA_VERSION);
        generator.writeStringField("message_id", meta.messageId());
        generator.writeStringField("door", meta.door());
        generator.writeStringField("received_at", Hl7Time.iso(meta.receivedAt()));
        optional(generator, "raw", meta.raw());
        generator.writeStringField("sha256", meta.sha256());
        generator.writeStringField("version", meta.version());
        generator.writeStringField("structure", meta.structure());
        generator.writeStringField("message_type", meta.messageType());
        generator.writeStringField("trigger_event", meta.triggerEvent());
        optional(generator, "sending_application", meta.sendingApplication());
        optional(generator, "sending_facility", meta.sendingFacility());
        optional(generator, "control_id", meta.controlId());
        optional(generator, "message_time", Hl7Time.isoUtc(meta.messageTime()));
        int patientUuidAt = -1;
        if (meta.patientUuid() == null) {
            generator.flush(); // meta is the document's start: an offset in this buffer is one in the document
            patientUuidAt = out.size();
        } else {
            optional(generator, "patient_uuid", meta.patientUuid());
        }
        if (!meta.patientIds().isEmpty()) {
            generator.writeArrayFieldStart("patient_ids");
            for (String id : meta.patientIds()) {
                generator.writeString(id);
            }
            generator.writeEndArray();
        }
        generator.writeStringField("charset", meta.charset());
        generator.writeNumberField("warning_count", meta.warningCount());
        // left out when empty: an always-empty array has no element type a SQL engine could infer
        if (!meta.warnings().isEmpty()) {
            generator.writeArrayFieldStart("warnings");
            for (Warning warning : meta.warnings()) {
                generator.writeStartObject();
                generator.writeStringField("location", warning.location().toString());
                generator.writeStringField("data_type", warning.dataType());
                generator.writeStringField("rule", warning.rule());
                generator.writeEndObject();
            }
            generator.writeEndArray();
        }
        generator.writeEndObject();
        return patientUuidAt;
    }

    /** Empty values are left out, as in the body. */
    private static void optional(JsonGenerator generator, String key, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            generator.writeStringField(key, value);
        }
    }
}
