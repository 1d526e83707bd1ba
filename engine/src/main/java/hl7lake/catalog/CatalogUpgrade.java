package hl7lake.catalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A local catalog made by an older version, brought up to date at start (local mode only; on AWS the
 * stack owns the tables): an index the table lacks is created (one UpdateTable per index, as
 * DynamoDB allows), and when the {@link CatalogTables#DAY_INDEX} is new, the items written before it
 * get their {@code day} from their {@code received_at} — once, by a Scan of that table, since an
 * item without the key attribute is not in a sparse index. Logs table and index names and counts only.
 */
final class CatalogUpgrade {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogUpgrade.class);
    private static final Duration INDEX_ACTIVE = Duration.ofMinutes(5);

    private CatalogUpgrade() {
    }

    /** The indexes of {@code wanted} its existing table lacks, created; returns them as {@code table/index}. */
    static List<String> addMissingIndexes(DynamoDbClient dynamo, CreateTableRequest wanted) {
        String table = wanted.tableName();
        TableDescription described = dynamo.describeTable(b -> b.tableName(table)).table();
        Set<String> present = described.globalSecondaryIndexes().stream()
                .map(GlobalSecondaryIndexDescription::indexName).collect(Collectors.toSet());
        List<String> added = new ArrayList<>();
        for (GlobalSecondaryIndex index : wanted.globalSecondaryIndexes()) {
            if (present.contains(index.indexName())) {
                continue;
            }
            List<AttributeDefinition> keyAttributes = wanted.attributeDefinitions().stream()
                    .filter(a -> index.keySchema().stream().map(KeySchemaElement::attributeName)
                            .anyMatch(a.attributeName()::equals)).toList();
            dynamo.updateTable(b -> b.tableName(table).attributeDefinitions(keyAttributes)
                    .globalSecondaryIndexUpdates(u -> u.create(CreateGlobalSecondaryIndexAction.builder()
                            .indexName(index.indexName()).keySchema(index.keySchema()).projection(index.projection()).build())));
            awaitActive(dynamo, table, index.indexName());
            long dated = CatalogTables.DAY_INDEX.equals(index.indexName()) ? addDays(dynamo, table) : 0;
            LOG.info("catalog: {} had no index {}: added{}", table, index.indexName(),
                    CatalogTables.DAY_INDEX.equals(index.indexName()) ? "; " + dated + " items given their day" : "");
            added.add(table + "/" + index.indexName());
        }
        return added;
    }

    private static void awaitActive(DynamoDbClient dynamo, String table, String index) {
        Instant deadline = Instant.now().plus(INDEX_ACTIVE);
        while (true) {
            boolean active = dynamo.describeTable(b -> b.tableName(table)).table().globalSecondaryIndexes().stream()
                    .anyMatch(i -> i.indexName().equals(index) && i.indexStatus() == IndexStatus.ACTIVE);
            if (active) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(table + ": index " + index + " was not active within " + INDEX_ACTIVE);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    /** Every item without {@code day} gets the day of its {@code received_at} (if it has one), unless it got one meanwhile. */
    private static long addDays(DynamoDbClient dynamo, String table) {
        String key = dynamo.describeTable(b -> b.tableName(table)).table().keySchema().get(0).attributeName();
        long dated = 0;
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(b -> b.tableName(table)
                .filterExpression("attribute_not_exists(#d) AND attribute_exists(#r)")
                .projectionExpression("#k, #r").expressionAttributeNames(Map.of("#d", "day", "#r", "received_at", "#k", key))).items()) {
            String receivedAt = item.get("received_at").s();
            String day;
            try {
                day = CatalogItems.day(Instant.parse(receivedAt));
            } catch (RuntimeException unreadable) {
                continue; // not a time: left out of the day index, as before
            }
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(key, item.get(key)))
                        .updateExpression("SET #d = :d").conditionExpression("attribute_not_exists(#d) AND attribute_exists(#k)")
                        .expressionAttributeNames(Map.of("#d", "day", "#k", key))
                        .expressionAttributeValues(Map.of(":d", AttributeValue.fromS(day))));
                dated++;
            } catch (ConditionalCheckFailedException meanwhile) {
                // written with its day meanwhile, or gone
            }
        }
        return dated;
    }
}
