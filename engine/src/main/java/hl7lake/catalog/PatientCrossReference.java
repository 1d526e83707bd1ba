package hl7lake.catalog;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The blog's patient cross-reference: every identifier seen, mapped to one global patient uuid.
 * Which uuid an identifier belongs to is decided by a claim item written with a condition, never by
 * read-then-write: the unowned identifiers of a message are claimed in transactions, so concurrent
 * messages for one new patient end with exactly one uuid. The {@code patient_ids} items (and their
 * {@code local_index} GSI) are then written from the claims, so writing them again writes the same.
 *
 * <p>DynamoDB takes 100 items per transaction and per BatchGetItem, 25 per BatchWriteItem: a message
 * with more identifiers is read and written in chunks. Unowned identifiers are claimed in the order
 * of their keys, so two messages naming the same new identifiers race for the same first chunk and
 * the loser joins the winner's uuid (docs/decisions.md, "Failures the store cannot fix"). An
 * identifier longer than {@link CatalogLimits#MAX_KEY_BYTES} is keyed by its hash
 * ({@code local_id} = {@code sha256#<hex>}) and kept whole in {@code local_id_value}.
 */
public final class PatientCrossReference {

    private static final int ATTEMPTS = 8;
    private static final String CLAIM = "patient#";
    /** DynamoDB's limits per TransactWriteItems, BatchGetItem and BatchWriteItem. */
    static final int TRANSACTION_ITEMS = 100;
    private static final int BATCH_GET_KEYS = 100;
    private static final int BATCH_WRITE_ITEMS = 25;

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final Clock clock;

    public PatientCrossReference(DynamoDbClient dynamo, CatalogTables tables, Clock clock) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.clock = clock;
    }

    /** Links identifiers ({@code <authority>#<type>#<id>}) to their patient; safe to repeat for the same message. */
    public PatientLink link(List<String> localIds) {
        List<String> ids = List.copyOf(new LinkedHashSet<>(localIds));
        if (ids.isEmpty()) {
            return PatientLink.NONE;
        }
        String candidate = UUID.randomUUID().toString();
        String mine = null; // the uuid this call has claimed identifiers for, once it has
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, Claim> owners = owners(ids);
            List<String> known = new ArrayList<>(new LinkedHashSet<>(owners.values().stream().map(Claim::uuid).toList()));
            String uuid = mine != null ? mine : known.isEmpty() ? candidate : known.get(0);
            List<String> unowned = ids.stream().filter(id -> !owners.containsKey(id))
                    .sorted(Comparator.comparing(CatalogLimits::key)).toList();
            boolean claimedAll = true;
            for (int from = 0; from < unowned.size() && claimedAll; from += TRANSACTION_ITEMS) {
                List<String> chunk = unowned.subList(from, Math.min(unowned.size(), from + TRANSACTION_ITEMS));
                String now = clock.instant().toString();
                claimedAll = claim(chunk, uuid, now);
                if (claimedAll) {
                    mine = uuid;
                    chunk.forEach(id -> owners.put(id, new Claim(uuid, now)));
                }
            }
            if (claimedAll) {
                crossReference(uuid, owners);
                known.remove(uuid);
                return new PatientLink(uuid, uuid.equals(candidate), List.copyOf(known));
            }
        }
        throw new IllegalStateException("patient identifiers kept being claimed concurrently; retry the message");
    }

    /** Which uuid each identifier already belongs to (and since when), read with strong consistency, in message order. */
    private Map<String, Claim> owners(List<String> ids) {
        Map<String, String> idOfClaim = new HashMap<>();
        ids.forEach(id -> idOfClaim.put(CLAIM + CatalogLimits.key(id), id));
        Map<String, Claim> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += BATCH_GET_KEYS) {
            List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + BATCH_GET_KEYS)).stream()
                    .map(id -> Map.of("claim_id", s(CLAIM + CatalogLimits.key(id)))).toList();
            Map<String, KeysAndAttributes> request = new HashMap<>(Map.of(tables.claims(),
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build()));
            for (int round = 0; !request.isEmpty(); round++) {
                if (round == ATTEMPTS) {
                    throw new IllegalStateException("reading patient claims kept leaving keys unprocessed; retry the message");
                }
                var response = dynamo.batchGetItem(b -> b.requestItems(request));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(tables.claims(), List.of())) {
                    AttributeValue at = item.get("claimed_at");
                    found.put(idOfClaim.get(item.get("claim_id").s()), new Claim(item.get("uuid").s(), at == null ? null : at.s()));
                }
                request.clear();
                if (response.hasUnprocessedKeys()) {
                    request.putAll(response.unprocessedKeys());
                }
            }
        }
        // the message's own order of identifiers, so "the first known uuid" is well defined
        Map<String, Claim> ordered = new LinkedHashMap<>();
        for (String id : ids) {
            if (found.containsKey(id)) {
                ordered.put(id, found.get(id));
            }
        }
        return ordered;
    }

    /** Claims all of {@code ids} (at most one transaction's worth) for {@code uuid}; false when another message claimed one first. */
    private boolean claim(List<String> ids, String uuid, String now) {
        List<TransactWriteItem> puts = new ArrayList<>();
        for (String id : ids) {
            puts.add(TransactWriteItem.builder().put(p -> p.tableName(tables.claims())
                    .item(Map.of("claim_id", s(CLAIM + CatalogLimits.key(id)), "uuid", s(uuid), "claimed_at", s(now)))
                    .conditionExpression("attribute_not_exists(claim_id)")).build());
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(puts));
            return true;
        } catch (TransactionCanceledException cancelled) {
            // lost to another message: a condition failed, or a transaction on the same claim was under way
            boolean lost = cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream()
                    .map(CancellationReason::code).allMatch(code -> code == null || code.equals("None")
                            || code.equals("ConditionalCheckFailed") || code.equals("TransactionConflict"));
            if (!lost) {
                throw cancelled; // throttled, or a request the store refuses: not a race to retry here
            }
            return false;
        }
    }

    /**
     * The {@code patient_ids} items of the identifiers owned by {@code uuid}. Each is derived from its
     * claim ({@code first_seen} is the claim's time), so writing it again, as a resent message does,
     * writes the same item: plain batch puts, 25 at a time.
     */
    private void crossReference(String uuid, Map<String, Claim> owners) {
        List<WriteRequest> writes = new ArrayList<>();
        for (Map.Entry<String, Claim> owned : owners.entrySet()) {
            if (!owned.getValue().uuid().equals(uuid)) {
                continue;
            }
            String id = owned.getKey();
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("uuid", s(uuid));
            item.put("local_id", s(CatalogLimits.key(id)));
            if (CatalogLimits.hashed(id)) {
                item.put("local_id_value", s(id));
            }
            if (owned.getValue().claimedAt() != null) {
                item.put("first_seen", s(owned.getValue().claimedAt()));
            }
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        for (int from = 0; from < writes.size(); from += BATCH_WRITE_ITEMS) {
            List<WriteRequest> batch = writes.subList(from, Math.min(writes.size(), from + BATCH_WRITE_ITEMS));
            Map<String, List<WriteRequest>> request = new HashMap<>(Map.of(tables.patientIds(), batch));
            for (int round = 0; !request.isEmpty(); round++) {
                if (round == ATTEMPTS) {
                    throw new IllegalStateException("the patient cross-reference kept leaving items unprocessed; retry the message");
                }
                var response = dynamo.batchWriteItem(b -> b.requestItems(request));
                request.clear();
                if (response.hasUnprocessedItems()) {
                    request.putAll(response.unprocessedItems());
                }
            }
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    /** A claim item: the uuid an identifier belongs to, and when it was claimed. */
    private record Claim(String uuid, String claimedAt) {
    }
}
