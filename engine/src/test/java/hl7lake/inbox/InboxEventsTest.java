package hl7lake.inbox;

import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** S3 event notifications as S3 writes them, read into the inbox files they name; and the discovery setting. */
class InboxEventsTest {

    private final InboxEvents events = new InboxEvents("hl7lake", "raw/inbox/");

    @Test
    void an_event_names_its_file_with_the_key_decoded_and_its_version() throws Exception {
        String event = InboxQueueTest.event("hl7lake", "raw/inbox/a b+é/c.hl7", "\"0123abcd\"", 10, 1)
                .replace("\"sequencer\"", "\"versionId\":\"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY\",\"sequencer\"");
        assertThat(events.files(event)).containsExactly(
                new InboxEvents.InboxObject("raw/inbox/a b+é/c.hl7", "0123abcd", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"));
    }

    @Test
    void the_test_event_other_buckets_and_other_prefixes_name_no_file() throws Exception {
        assertThat(events.files("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"hl7lake\"}")).isEmpty();
        assertThat(events.files(InboxQueueTest.event("other", "raw/inbox/x.hl7", "e", 1, 1))).isEmpty();
        assertThat(events.files(InboxQueueTest.event("hl7lake", "raw/files/x.hl7", "e", 1, 1))).isEmpty();
        assertThat(events.files(InboxQueueTest.event("hl7lake", "raw/inbox/folder/", "e", 0, 1))).isEmpty();
        assertThat(events.files(InboxQueueTest.event("hl7lake", "raw/inbox/x.hl7", "e", 1, 1)
                .replace("ObjectCreated:Put", "ObjectRemoved:Delete"))).isEmpty();
    }

    @Test
    void a_message_that_is_no_s3_event_is_an_error_not_an_empty_event() {
        assertThatThrownBy(() -> events.files("{\"hello\":1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> events.files("not json")).isInstanceOf(Exception.class);
    }

    @Test
    void discovery_is_sqs_in_aws_mode_with_a_queue_else_poll() {
        String queue = "https://sqs.us-east-1.amazonaws.com/123456789012/hl7lake-inbox";
        assertThat(InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "local"), Map.of()))).isEqualTo("poll");
        assertThat(InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "aws"), Map.of()))).isEqualTo("poll");
        assertThat(InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "aws"),
                Map.of("HL7LAKE_INBOX_QUEUE_URL", queue)))).isEqualTo("sqs");
        assertThat(InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "aws", "hl7lake.inbox.discovery", "poll",
                "hl7lake.inbox.queue-url", queue), Map.of()))).isEqualTo("poll");
        assertThat(InboxDiscovery.properties(EngineSettings.load(Map.of("hl7lake.mode", "aws",
                "hl7lake.inbox.queue-url", queue), Map.of())))
                .containsEntry("hl7lake.inbox.queue-name", "hl7lake-inbox").containsEntry("hl7lake.inbox.sqs-enabled", "true")
                .containsEntry("hl7lake.inbox.poll-enabled", "false");
        assertThatThrownBy(() -> InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "local",
                "hl7lake.inbox.discovery", "sqs"), Map.of()))).hasMessageContaining("hl7lake.inbox.queue-url");
        assertThatThrownBy(() -> InboxDiscovery.of(EngineSettings.load(Map.of("hl7lake.mode", "local",
                "hl7lake.inbox.discovery", "kafka"), Map.of()))).hasMessageContaining("poll or sqs");
    }
}
