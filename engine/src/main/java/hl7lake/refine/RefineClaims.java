package hl7lake.refine;

import hl7lake.catalog.CatalogTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One compaction per day at a time, over every engine and the {@code refine} command: a day is
 * claimed in the catalog's claims table ({@code refine#<yyyy-mm-dd>}) by a conditional write that
 * succeeds only when nobody holds it or the holder's lease has run out (it died), and given back
 * when the run ends, with the time that run started (so the scheduler knows whether a run has
 * covered the whole of a past day).
 */
public final class RefineClaims {

    /** A held claim. */
    public record Claim(LocalDate day, String owner) {
    }

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final Clock clock;
    private final Duration lease;

    public RefineClaims(DynamoDbClient dynamo, CatalogTables tables, Clock clock, Duration lease) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.clock = clock;
        this.lease = lease;
    }

    /** The day for {@code owner}, or empty while another holds it. */
    public Optional<Claim> take(LocalDate day, String owner) {
        long now = clock.millis();
        try {
            dynamo.updateItem(b -> b.tableName(tables.claims()).key(key(day))
                    .updateExpression("SET #owner = :owner, lease_until = :lease")
                    .conditionExpression("attribute_not_exists(claim_id) OR lease_until < :now")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":lease", n(now + lease.toMillis()), ":now", n(now))));
            return Optional.of(new Claim(day, owner));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
    }

    /** Gives the day back after a run that started at {@code startedMillis} and switched to {@code runId} (null: failed). */
    public void release(Claim claim, long startedMillis, String runId) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":me", s(claim.owner()), ":zero", n(0)));
        String update = "SET lease_until = :zero";
        if (runId != null) {
            update += ", last_started = :started, last_run = :run";
            values.put(":started", n(startedMillis));
            values.put(":run", s(runId));
        }
        String expression = update;
        try {
            dynamo.updateItem(b -> b.tableName(tables.claims()).key(key(claim.day())).updateExpression(expression)
                    .conditionExpression("#owner = :me").expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException takenOver) {
            // our lease ran out and another run took the day: its release counts
        }
    }

    /** When the last successful run of {@code day} started (epoch millis), or -1. */
    public long lastStarted(LocalDate day) {
        var item = dynamo.getItem(b -> b.tableName(tables.claims()).consistentRead(true).key(key(day))).item();
        return item != null && item.containsKey("last_started") ? Long.parseLong(item.get("last_started").n()) : -1;
    }

    private static Map<String, AttributeValue> key(LocalDate day) {
        return Map.of("claim_id", s("refine#" + day));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
