package hl7lake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A staging document as an older hl7lake wrote it, made from today's (for {@code bench restage} and
 * the restage tests): {@code schema_version} 1, a {@code meta} without what version 2 added (sender,
 * control id, message time, patient identifiers), no {@code z_segments}. Same ids and lineage, other
 * shape: what a lake written before the fixed schema holds.
 */
public final class OldShape {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OldShape() {
    }

    public static byte[] document(byte[] today) {
        try {
            ObjectNode document = (ObjectNode) JSON.readTree(today);
            ObjectNode meta = (ObjectNode) document.get("meta");
            meta.remove(java.util.List.of("sending_application", "sending_facility", "control_id", "message_time",
                    "patient_ids", "patient_uuid"));
            meta.put("schema_version", 1);
            document.remove("z_segments");
            return JSON.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
