package hl7lake.inbox;

import hl7lake.config.EngineSettings;

import java.net.URI;
import java.util.Map;

/**
 * How drop files are found, from the settings: {@code poll} (the route {@code s3-inbox-poll} lists the
 * inbox prefix) or {@code sqs} (the route {@code s3-inbox-events} takes the bucket's object events from
 * the queue at {@code hl7lake.inbox.queue-url}). Unset, it is {@code sqs} in AWS mode when a queue URL
 * is set, else {@code poll}. The answer is given to the routes as properties: which discovery route
 * exists (their preconditions) and the queue's name.
 */
public final class InboxDiscovery {

    private InboxDiscovery() {
    }

    public static String of(EngineSettings settings) {
        String queueUrl = settings.optional("hl7lake.inbox.queue-url");
        String discovery = settings.optional("hl7lake.inbox.discovery");
        if (discovery == null) {
            discovery = settings.mode().equals("aws") && queueUrl != null ? "sqs" : "poll";
        }
        if (!discovery.equals("poll") && !discovery.equals("sqs")) {
            throw new IllegalStateException("hl7lake.inbox.discovery must be poll or sqs");
        }
        if (discovery.equals("sqs")) {
            settings.require(queueUrl, "hl7lake.inbox.queue-url");
        }
        return discovery;
    }

    /** The properties the routes in {@code routes/s3-inbox.yaml} read. */
    public static Map<String, String> properties(EngineSettings settings) {
        boolean enabled = settings.flag("hl7lake.inbox.enabled");
        String discovery = of(settings);
        String queueUrl = settings.optional("hl7lake.inbox.queue-url");
        String path = queueUrl == null ? "" : URI.create(queueUrl).getPath();
        String queueName = path.isEmpty() ? "none" : path.substring(path.lastIndexOf('/') + 1);
        return Map.of("hl7lake.inbox.poll-enabled", Boolean.toString(enabled && discovery.equals("poll")),
                "hl7lake.inbox.sqs-enabled", Boolean.toString(enabled && discovery.equals("sqs")),
                "hl7lake.inbox.queue-name", queueName.isEmpty() ? "none" : queueName);
    }
}
