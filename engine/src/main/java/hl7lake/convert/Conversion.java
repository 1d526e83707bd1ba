package hl7lake.convert;

import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;
import hl7lake.hl7.MshHeader;
import hl7lake.hl7.Warning;
import hl7lake.json.StagingDocument;

import java.nio.charset.Charset;
import java.util.List;

/** What became of one message: accepted with its document, or rejected with a reason. */
public sealed interface Conversion {

    /** The inbound MSH as far as it could be read; {@link MshHeader#UNREADABLE} when not at all. */
    MshHeader header();

    /** The charset the message was read in, which its ACK is to be sent in too. */
    Charset charset();

    String sha256();

    /**
     * {@code document} is the staging document without {@code meta.patient_uuid}, which the catalog
     * assigns after conversion; {@link #document(String)} gives it with the uuid.
     */
    record Accepted(MshHeader header, Charset charset, String sha256, MessageMetadata metadata,
                    byte[] document, int patientUuidAt, List<Warning> warnings, int warningCount)
            implements Conversion {

        /** The document with {@code meta.patient_uuid} = {@code uuid} (none when null: the message names no patient). */
        public byte[] document(String patientUuid) {
            return new StagingDocument(document, patientUuidAt).withPatientUuid(patientUuid);
        }
    }

    record Rejected(MshHeader header, Charset charset, String sha256, Hl7Rejection rejection)
            implements Conversion {
    }
}
