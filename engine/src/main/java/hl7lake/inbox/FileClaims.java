package hl7lake.inbox;

import hl7lake.catalog.CatalogTables;
import hl7lake.lake.MessageIds;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Who works on which drop file, in the catalog's claims table: one item per file version
 * ({@code file#<key>#<etag>}), taken with a conditional write and held with a lease. Another
 * instance takes a file over only when the lease has run out (its owner died), and a file that
 * failed is not taken again before its back-off time. A finished file is marked done for good.
 */
public final class FileClaims {

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final Clock clock;
    private final Duration lease;

    public FileClaims(DynamoDbClient dynamo, CatalogTables tables, Clock clock, Duration lease) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.clock = clock;
        this.lease = lease;
    }

    /** How long a claim holds without being renewed. */
    public Duration lease() {
        return lease;
    }

    /**
     * How a log names an inbox file before it has a file id: a short hash of its key (a drop file's
     * name is text a sender chose, and can hold a patient's name).
     */
    public static String reference(String fileKey) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(fileKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "key#" + java.util.HexFormat.of().formatHex(digest, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the file for {@code owner}, or empty when it is done, held by a live owner, or backing off. */
    public Optional<FileClaim> take(String fileKey, String etag, String owner) {
        String claimId = "file#" + fileKey + "#" + etag;
        long now = clock.millis();
        try {
            var result = dynamo.updateItem(b -> b.tableName(tables.claims())
                    .key(Map.of("claim_id", s(claimId)))
                    .updateExpression("SET #owner = :owner, lease_until = :lease, file_key = :key, "
                            + "file_id = if_not_exists(file_id, :fileId), attempts = if_not_exists(attempts, :zero)")
                    .conditionExpression("attribute_not_exists(claim_id) OR (#state <> :done AND lease_until < :now "
                            + "AND (attribute_not_exists(retry_after) OR retry_after <= :now))")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#state", "state"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":lease", n(now + lease.toMillis()),
                            ":key", s(fileKey), ":fileId", s(MessageIds.next()), ":zero", n(0), ":done", s("done"),
                            ":now", n(now)))
                    .returnValues(ReturnValue.ALL_NEW));
            Map<String, AttributeValue> item = result.attributes();
            return Optional.of(new FileClaim(claimId, fileKey, etag, item.get("file_id").s(), owner,
                    Integer.parseInt(item.get("attempts").n())));
        } catch (ConditionalCheckFailedException taken) {
            return Optional.empty();
        }
    }

    /** Whether this version of the file was finished (its report written). */
    public boolean done(String fileKey, String etag) {
        var item = dynamo.getItem(b -> b.tableName(tables.claims()).consistentRead(true)
                .key(Map.of("claim_id", s("file#" + fileKey + "#" + etag)))).item();
        return item != null && item.containsKey("state") && "done".equals(item.get("state").s());
    }

    /** Extends the lease while the file is worked on; false when another instance took it over. */
    public boolean renew(FileClaim claim) {
        return conditional(claim, "SET lease_until = :lease", Map.of(":lease", n(clock.millis() + lease.toMillis())));
    }

    public boolean complete(FileClaim claim, String reportKey) {
        return conditional(claim, "SET #state = :done, report_key = :report, lease_until = :zero",
                Map.of(":done", s("done"), ":report", s(reportKey), ":zero", n(0)));
    }

    /** Gives the file up after a failure: tried again by any instance after an exponential back-off (max 5 min). */
    public void release(FileClaim claim) {
        long backoff = Math.min(300_000L, 2_000L << Math.min(claim.attempts(), 10));
        conditional(claim, "SET lease_until = :zero, retry_after = :retry, attempts = attempts + :one",
                Map.of(":zero", n(0), ":retry", n(clock.millis() + backoff), ":one", n(1)));
    }

    /** Gives the file up with no penalty (the engine is stopping): any instance may take it at once. */
    public void yieldFile(FileClaim claim) {
        conditional(claim, "SET lease_until = :zero", Map.of(":zero", n(0)));
    }

    private boolean conditional(FileClaim claim, String update, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new java.util.HashMap<>(values);
        all.put(":me", s(claim.owner()));
        try {
            dynamo.updateItem(b -> b.tableName(tables.claims()).key(Map.of("claim_id", s(claim.claimId())))
                    .updateExpression(update).conditionExpression("#owner = :me")
                    .expressionAttributeNames(update.contains("#state") ? Map.of("#owner", "owner", "#state", "state")
                            : Map.of("#owner", "owner"))
                    .expressionAttributeValues(all));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
