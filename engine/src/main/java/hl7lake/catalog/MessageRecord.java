package hl7lake.catalog;

import java.time.Instant;
import java.util.List;

/**
 * One accepted message as the catalog records it. {@code rawOffset}/{@code rawLength} are set when
 * the raw object is a file holding many messages (the S3 drop folder), else null.
 */
public record MessageRecord(String messageId, String controlId, String sendingApplication, String sendingFacility,
                            String receivingApplication, String receivingFacility, String structure,
                            String messageType, String triggerEvent, String version, String messageTime,
                            Instant receivedAt, String door, String rawKey, Long rawOffset, Long rawLength,
                            String stagingKey, String patientUuid, List<String> patientConflicts, String sha256,
                            String charset, int warningCount, boolean controlIdReused) {

    /** The sender's own id for the message: MSH-10 is only unique per sending application and facility. */
    public String senderControl() {
        return senderControl(sendingApplication, sendingFacility, controlId);
    }

    public static String senderControl(String sendingApplication, String sendingFacility, String controlId) {
        return sendingApplication + "|" + sendingFacility + "|" + controlId;
    }
}
