package hl7lake.catalog;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;

/**
 * The messages and errors tables, and the claims that make ingestion idempotent:
 * <ul>
 *   <li>a <b>content claim</b> maps the exact bytes (sha256) to the first message id stored for them,
 *       so a resend (a lost ACK, a resent file) is answered as the first time and a retry after a
 *       failure reuses its message id instead of creating a second entry;</li>
 *   <li>a <b>control claim</b> remembers the content first seen for a sender + control id, so a
 *       reused control id with other content is a new message, flagged.</li>
 * </ul>
 * A sender + control id longer than {@link CatalogLimits#MAX_KEY_BYTES} is keyed by its hash.
 * Every write is conditional, so any step may be repeated.
 */
public final class MessageIndex {

    /** How many replays deep a resend's answer follows a rejection (a replay rejected again can be replayed). */
    static final int REPLAY_HOPS = 8;

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;

    public MessageIndex(DynamoDbClient dynamo, CatalogTables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    /** The message id that owns these bytes: {@code messageId} if they are new, else the first one's. */
    public ContentClaim claimContent(String sha256, String messageId) {
        String owner = claim("content#" + sha256, Map.of("message_id", AttributeValue.fromS(messageId)))
                .map(item -> item.get("message_id").s()).orElse(messageId);
        return new ContentClaim(owner, owner.equals(messageId));
    }

    /** True when this sender + control id came before with other content. */
    public boolean controlIdReused(String senderControl, String sha256) {
        return claim("control#" + CatalogLimits.key(senderControl), Map.of("sha256", AttributeValue.fromS(sha256)))
                .map(item -> !item.get("sha256").s().equals(sha256)).orElse(false);
    }

    /** Records the message; false when it was recorded already (a retry or a duplicate). */
    public boolean record(MessageRecord record) {
        return putOnce(tables.messages(), CatalogItems.message(record), "message_id");
    }

    /** Records the rejection; false when it was recorded already. */
    public boolean record(ErrorRecord record) {
        return putOnce(tables.errors(), CatalogItems.error(record), "error_id");
    }

    /**
     * Points a message's item at its staging object's new key and structure (restage), only while the
     * item still names {@code from} (null: no key): a concurrent change fails with
     * {@link ConditionalCheckFailedException} instead of being overwritten. The item keeps its id and
     * everything else.
     */
    public void restaged(String messageId, String from, String to, String structure) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(":to", AttributeValue.fromS(to),
                ":st", AttributeValue.fromS(structure), ":id", AttributeValue.fromS(messageId)));
        String condition = "message_id = :id AND ";
        if (from == null) {
            condition += "attribute_not_exists(staging_key)";
        } else {
            values.put(":from", AttributeValue.fromS(from));
            condition += "staging_key = :from";
        }
        String onlyIf = condition;
        dynamo.updateItem(b -> b.tableName(tables.messages()).key(Map.of("message_id", AttributeValue.fromS(messageId)))
                .updateExpression("SET staging_key = :to, #structure = :st").conditionExpression(onlyIf)
                .expressionAttributeNames(Map.of("#structure", "structure")).expressionAttributeValues(values));
    }

    public Optional<Map<String, AttributeValue>> message(String messageId) {
        return get(tables.messages(), Map.of("message_id", AttributeValue.fromS(messageId)));
    }

    public Optional<Map<String, AttributeValue>> error(String errorId) {
        return get(tables.errors(), Map.of("error_id", AttributeValue.fromS(errorId)));
    }

    /**
     * What the catalog holds for a message id stored before: its message record (accepted), else its
     * error record (rejected); empty when it has neither (an earlier attempt stopped before its record).
     * A rejection an operator has replayed since is answered as its replay's result now stands (the
     * replay's message, or its new rejection, followed up to {@value #REPLAY_HOPS} replays deep), so a
     * sender that resends those bytes is told what the lake holds, not what it held first.
     */
    public Optional<StoredCopy> stored(String messageId) {
        String id = messageId;
        StoredCopy standing = null; // the last rejection on the way
        for (int hop = 0; hop <= REPLAY_HOPS; hop++) {
            Optional<Map<String, AttributeValue>> accepted = message(id);
            if (accepted.isPresent()) {
                Map<String, AttributeValue> item = accepted.get();
                return Optional.of(new StoredCopy(id, item.get("raw_key").s(), item.get("staging_key").s(), null, null,
                        null));
            }
            Optional<Map<String, AttributeValue>> rejected = error(id);
            if (rejected.isEmpty()) {
                // no record: the first id's attempt stopped before it, or a replay stopped before its result's (its error stands)
                return Optional.ofNullable(standing);
            }
            Map<String, AttributeValue> item = rejected.get();
            standing = new StoredCopy(id, item.get("raw_key").s(), null, item.get("error_key").s(),
                    item.containsKey("code") ? Integer.valueOf(item.get("code").n()) : null,
                    item.containsKey("reason") ? item.get("reason").s() : null);
            if (!item.containsKey("replayed_as")) {
                break;
            }
            id = item.get("replayed_as").s();
        }
        return Optional.of(standing);
    }

    /**
     * The records of the messages a sender sent with this control id, oldest first (the GSI is eventually
     * consistent on AWS; it holds summaries, so each whole record is then read by its key).
     * {@code senderControl} as {@link MessageRecord#senderControl} makes it; an over-long one is looked up by its hashed key.
     */
    public List<Map<String, AttributeValue>> bySenderControl(String senderControl) {
        return dynamo.query(q -> q.tableName(tables.messages()).indexName(CatalogTables.CONTROL_INDEX)
                        .keyConditionExpression("sender_control = :sc")
                        .expressionAttributeValues(Map.of(":sc", AttributeValue.fromS(CatalogLimits.key(senderControl))))).items()
                .stream().map(summary -> dynamo.getItem(g -> g.tableName(tables.messages()).consistentRead(true)
                        .key(Map.of("message_id", summary.get("message_id")))).item())
                .filter(item -> item != null && !item.isEmpty()).toList();
    }

    /**
     * The message id a replay of error {@code errorId} stores its result under: {@code messageId} if this
     * is its first replay, else the first replay's (so a replay repeated, or run twice at once, stores once).
     */
    public String claimReplay(String errorId, String messageId) {
        return claim("replay#" + errorId, Map.of("message_id", AttributeValue.fromS(messageId)))
                .map(item -> item.get("message_id").s()).orElse(messageId);
    }

    /**
     * Links a replay both ways: the error record names the message id its replay stored its result under
     * ({@code replayed_as}), and that result's record (a message, or a new error) names the error ({@code replay_of}).
     */
    public void linkReplay(String errorId, String resultId, boolean accepted, String at) {
        String table = accepted ? tables.messages() : tables.errors();
        String key = accepted ? "message_id" : "error_id";
        dynamo.updateItem(b -> b.tableName(table).key(Map.of(key, AttributeValue.fromS(resultId)))
                .updateExpression("SET replay_of = :e").conditionExpression("attribute_exists(" + key + ")")
                .expressionAttributeValues(Map.of(":e", AttributeValue.fromS(errorId))));
        dynamo.updateItem(b -> b.tableName(tables.errors()).key(Map.of("error_id", AttributeValue.fromS(errorId)))
                .updateExpression("SET replayed_as = :m, replayed_at = if_not_exists(replayed_at, :t)")
                .conditionExpression("attribute_exists(error_id)")
                .expressionAttributeValues(Map.of(":m", AttributeValue.fromS(resultId), ":t", AttributeValue.fromS(at))));
    }

    /** The first claim wins: empty when ours is stored, else the item that was there. */
    private Optional<Map<String, AttributeValue>> claim(String claimId, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new HashMap<>(attributes);
        item.put("claim_id", AttributeValue.fromS(claimId));
        if (putOnce(tables.claims(), item, "claim_id")) {
            return Optional.empty();
        }
        return Optional.of(get(tables.claims(), Map.of("claim_id", AttributeValue.fromS(claimId))).orElseThrow());
    }

    private boolean putOnce(String table, Map<String, AttributeValue> item, String key) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(" + key + ")"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    private Optional<Map<String, AttributeValue>> get(String table, Map<String, AttributeValue> key) {
        var response = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
    }

    /**
     * A message as stored: the id it is stored under (the first copy's, or its replay's), its raw key, and
     * its staging key (accepted) or its error key with the rejection's HL7 code and reason as the error
     * record has them (either may be null).
     */
    public record StoredCopy(String messageId, String rawKey, String stagingKey, String errorKey, Integer code,
                             String reason) {

        public boolean accepted() {
            return stagingKey != null;
        }
    }

    /** Who owns a message's bytes, and whether that is the caller. */
    public record ContentClaim(String messageId, boolean first) {
    }
}
