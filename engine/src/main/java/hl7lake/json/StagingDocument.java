package hl7lake.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;

/**
 * A converted document and the place in its {@code meta} where the patient uuid goes. The catalog
 * assigns the uuid after conversion (it needs the message's identifiers and a round trip to the
 * store), so the document is written without it and the uuid is spliced in before the staging
 * object is stored: one array copy, no second walk of the message.
 *
 * @param bytes         the document as converted (no {@code patient_uuid} unless the receipt carried one)
 * @param patientUuidAt the offset where {@code ,"patient_uuid":"…"} is inserted; -1 when the
 *                      document already has one
 */
public record StagingDocument(byte[] bytes, int patientUuidAt) {

    private static final byte[] KEY = ",\"patient_uuid\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The document with {@code meta.patient_uuid}; unchanged when {@code uuid} is null (no identifiers, no patient). */
    public byte[] withPatientUuid(String uuid) {
        if (uuid == null || uuid.isEmpty() || patientUuidAt < 0) {
            return bytes;
        }
        byte[] value = JsonStringEncoder.getInstance().quoteAsUTF8(uuid);
        byte[] out = new byte[bytes.length + KEY.length + value.length + 1];
        System.arraycopy(bytes, 0, out, 0, patientUuidAt);
        int at = patientUuidAt;
        System.arraycopy(KEY, 0, out, at, KEY.length);
        at += KEY.length;
        System.arraycopy(value, 0, out, at, value.length);
        at += value.length;
        out[at++] = '"';
        System.arraycopy(bytes, patientUuidAt, out, at, bytes.length - patientUuidAt);
        return out;
    }
}
