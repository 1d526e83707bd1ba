package hl7lake.inbox;

import static hl7lake.Hl7LakeConstants.INBOX_UNFINISHED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The inbox's object events, as S3 sends them to the queue (AWS mode): an event notification
 * ({@code {"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name"},
 * "object":{"key","eTag","versionId"}}}]}}), whose keys are URL-encoded ({@code +} for a space). S3's
 * test event, sent when the notification is configured, and objects of another bucket or outside
 * the inbox name no file.
 */
public final class InboxEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINISHED = Set.of("done", "gone");

    private final String bucket;
    private final String prefix;

    public InboxEvents(String bucket, String prefix) {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /** One object an event names: its key (decoded), the ETag and version id of the version created. */
    public record InboxObject(String key, String etag, String versionId) {
        @Override
        public String toString() {
            return "inbox object " + FileClaims.reference(key); // never the key: a name a sender chose
        }
    }

    /** The split's expression in the route {@code s3-inbox-events}: the inbox files an event names. */
    public List<InboxObject> files(String body) throws IOException {
        JsonNode event = JSON.readTree(body);
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("not an S3 event notification");
        }
        List<InboxObject> files = new ArrayList<>();
        if (!event.has("Records")) {
            if ("s3:TestEvent".equals(event.path("Event").asText())) {
                return files;
            }
            throw new IllegalArgumentException("not an S3 event notification");
        }
        for (JsonNode record : event.get("Records")) {
            JsonNode s3 = record.path("s3");
            String key = URLDecoder.decode(s3.path("object").path("key").asText(), StandardCharsets.UTF_8);
            if (!"aws:s3".equals(record.path("eventSource").asText())
                    || !record.path("eventName").asText().startsWith("ObjectCreated:")
                    || !bucket.equals(s3.path("bucket").path("name").asText())
                    || !key.startsWith(prefix) || key.endsWith("/")) {
                continue;
            }
            JsonNode versionId = s3.path("object").path("versionId");
            files.add(new InboxObject(key, s3.path("object").path("eTag").asText(),
                    versionId.isTextual() ? versionId.asText() : null));
        }
        return files;
    }

    /**
     * The split's aggregation in the route {@code s3-inbox-events}: counts the files of the event that
     * are not finished (neither done nor gone from the inbox); the event's message is deleted only
     * when none is, otherwise it comes back after its visibility timeout.
     */
    public static final class Outcomes implements AggregationStrategy {
        @Override
        public Exchange aggregate(Exchange counted, Exchange file) {
            Exchange result = counted == null ? file : counted;
            boolean finished = FINISHED.contains(file.getProperty(DropFiles.OUTCOME, "", String.class));
            result.setProperty(INBOX_UNFINISHED, result.getProperty(INBOX_UNFINISHED, 0, Integer.class) + (finished ? 0 : 1));
            return result;
        }
    }
}
