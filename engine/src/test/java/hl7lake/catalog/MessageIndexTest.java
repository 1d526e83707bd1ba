package hl7lake.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Against DynamoDB Local over a real socket, with the real AWS SDK. */
class MessageIndexTest {

    private static LocalCatalog catalog;
    private static MessageIndex index;

    @BeforeAll
    static void start() {
        catalog = new LocalCatalog();
        index = new MessageIndex(catalog.dynamo, catalog.tables);
    }

    @AfterAll
    static void stop() {
        catalog.close();
    }

    private static MessageRecord record(String messageId, String controlId, String sha256, String patient) {
        return new MessageRecord(messageId, controlId, "REGADT", "GOODHEALTH", "HL7LAKE", "LAKE", "ADT_A01", "ADT", "A01",
                "2.5", "20261102083015", Instant.parse("2026-11-23T10:15:30Z"), "mllp",
                "raw/hl7v2/2026/11/23/" + messageId + ".hl7", null, null,
                "staging/hl7v2/ADT_A01/day=2026-11-23/" + messageId + ".json", patient, List.of(), sha256, "UTF-8", 2,
                false);
    }

    @Test
    void the_same_bytes_again_belong_to_the_first_message_id() {
        String sha = UUID.randomUUID().toString();
        MessageIndex.ContentClaim first = index.claimContent(sha, "m-first");
        MessageIndex.ContentClaim again = index.claimContent(sha, "m-second");
        assertThat(first).isEqualTo(new MessageIndex.ContentClaim("m-first", true));
        assertThat(again).isEqualTo(new MessageIndex.ContentClaim("m-first", false));
    }

    @Test
    void a_message_is_recorded_once_whatever_the_retries() {
        MessageRecord record = record("m-once", "CTRL-ONCE", "sha-once", "patient-1");
        assertThat(index.record(record)).isTrue();
        assertThat(index.record(record)).isFalse();
        Map<String, AttributeValue> item = index.message("m-once").orElseThrow();
        assertThat(item.get("control_id").s()).isEqualTo("CTRL-ONCE");
        assertThat(item.get("sender_control").s()).isEqualTo("REGADT|GOODHEALTH|CTRL-ONCE");
        assertThat(item.get("patient_uuid").s()).isEqualTo("patient-1");
        assertThat(item.get("warning_count").n()).isEqualTo("2");
        assertThat(item).doesNotContainKeys("raw_offset", "control_id_reused");
        assertThat(index.bySenderControl("REGADT|GOODHEALTH|CTRL-ONCE")).hasSize(1);
    }

    @Test
    void a_reused_control_id_with_other_content_is_flagged_and_the_same_content_is_not() {
        String senderControl = MessageRecord.senderControl("APP", "FAC", "CTRL-REUSED");
        assertThat(index.controlIdReused(senderControl, "sha-a")).isFalse();
        assertThat(index.controlIdReused(senderControl, "sha-a")).isFalse();
        assertThat(index.controlIdReused(senderControl, "sha-b")).isTrue();
    }

    @Test
    void a_message_without_a_patient_leaves_the_patient_index_sparse() {
        index.record(record("m-nopatient", "CTRL-NP", "sha-np", null));
        assertThat(index.message("m-nopatient").orElseThrow()).doesNotContainKey("patient_uuid");
    }

    @Test
    void an_error_record_says_why_and_is_written_once() {
        ErrorRecord error = new ErrorRecord("e-1", "error/hl7v2/day=2026-11-23/e-1.hl7", "validate", 201, "MSH-9.2",
                "MSH-9.2 trigger event has no message structure in HL7 v2.5 for this message type", "AR",
                Instant.parse("2026-11-23T10:15:30Z"), "http", "raw/hl7v2/2026/11/23/e-1.hl7", "sha-e", "INV-0008");
        assertThat(index.record(error)).isTrue();
        assertThat(index.record(error)).isFalse();
        Map<String, AttributeValue> item = index.error("e-1").orElseThrow();
        assertThat(item.get("code").n()).isEqualTo("201");
        assertThat(item.get("location").s()).isEqualTo("MSH-9.2");
        assertThat(item.get("stage").s()).isEqualTo("validate");
    }
}
