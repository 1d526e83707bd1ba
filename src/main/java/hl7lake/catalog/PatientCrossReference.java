package hl7lake.catalog;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The blog's patient cross-reference (ARCHITECTURE.md §4): every identifier seen, mapped to one
 * global patient uuid. Which uuid an identifier belongs to is decided by a claim item written with
 * a condition, never by read-then-write: the unowned identifiers of a message are claimed together
 * in one transaction, so concurrent messages for one new patient end with exactly one uuid. The
 * {@code patient_ids} items (and their {@code local_index} GSI) are then written idempotently.
 */
public final class PatientCrossReference {

    private static final int ATTEMPTS = 8;
    private static final String CLAIM = "patient#";

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
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, String> owners = owners(ids);
            List<String> known = List.copyOf(new LinkedHashSet<>(owners.values()));
            String uuid = known.isEmpty() ? candidate : known.get(0);
            List<String> unowned = ids.stream().filter(id -> !owners.containsKey(id)).toList();
            if (unowned.isEmpty() || claim(unowned, uuid)) {
                for (String id : ids) {
                    if (uuid.equals(owners.getOrDefault(id, uuid))) {
                        crossReference(uuid, id);
                    }
                }
                return new PatientLink(uuid, known.isEmpty(), known.isEmpty() ? List.of() : known.subList(1, known.size()));
            }
        }
        throw new IllegalStateException("patient identifiers kept being claimed concurrently; retry the message");
    }

    /** Which uuid each identifier already belongs to, read with strong consistency. */
    private Map<String, String> owners(List<String> ids) {
        List<Map<String, AttributeValue>> keys = ids.stream().map(id -> Map.of("claim_id", s(CLAIM + id))).toList();
        Map<String, String> owners = new LinkedHashMap<>();
        Map<String, KeysAndAttributes> request = new java.util.HashMap<>(Map.of(tables.claims(),
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build()));
        while (!request.isEmpty()) {
            var response = dynamo.batchGetItem(b -> b.requestItems(request));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(tables.claims(), List.of())) {
                owners.put(item.get("claim_id").s().substring(CLAIM.length()), item.get("uuid").s());
            }
            if (!response.hasUnprocessedKeys() || response.unprocessedKeys().isEmpty()) {
                break;
            }
            request.clear();
            request.putAll(response.unprocessedKeys());
        }
        // keep the message's own order of identifiers, so "the first known uuid" is well defined
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String id : ids) {
            if (owners.containsKey(id)) {
                ordered.put(id, owners.get(id));
            }
        }
        return ordered;
    }

    /** Claims all of {@code ids} for {@code uuid} at once; false when another message claimed one first. */
    private boolean claim(List<String> ids, String uuid) {
        List<TransactWriteItem> puts = new ArrayList<>();
        for (String id : ids) {
            puts.add(TransactWriteItem.builder().put(p -> p.tableName(tables.claims())
                    .item(Map.of("claim_id", s(CLAIM + id), "uuid", s(uuid), "claimed_at", s(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(claim_id)")).build());
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(puts));
            return true;
        } catch (TransactionCanceledException lost) {
            return false;
        }
    }

    private void crossReference(String uuid, String localId) {
        try {
            dynamo.putItem(b -> b.tableName(tables.patientIds())
                    .item(Map.of("uuid", s(uuid), "local_id", s(localId), "first_seen", s(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(local_id)"));
        } catch (ConditionalCheckFailedException alreadyThere) {
            // written by an earlier message or an earlier try of this one
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
