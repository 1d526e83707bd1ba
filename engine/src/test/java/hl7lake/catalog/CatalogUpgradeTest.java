package hl7lake.catalog;

import hl7lake.config.AwsClients;
import hl7lake.local.EmbeddedDynamoDb;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local catalog made before the query API's indexes (no {@code day_index}, {@code structure_index};
 * items without {@code day}) is brought up to date at start: the indexes are added, the old items
 * get their day and are found by it, and a second start changes nothing.
 */
class CatalogUpgradeTest {

    private static final Set<String> NEW_INDEXES = Set.of(CatalogTables.DAY_INDEX, CatalogTables.STRUCTURE_INDEX);

    @Test
    void adds_the_missing_indexes_and_gives_old_items_their_day_once() {
        try (EmbeddedDynamoDb server = EmbeddedDynamoDb.start(0, null);
             DynamoDbClient dynamo = AwsClients.dynamo(server.endpoint(), "us-east-1")) {
            CatalogTables tables = new CatalogTables("old-" + UUID.randomUUID().toString().substring(0, 8) + "-");
            for (CreateTableRequest table : tables.definitions()) { // as an older version created them
                List<GlobalSecondaryIndex> old = table.globalSecondaryIndexes().stream()
                        .filter(index -> !NEW_INDEXES.contains(index.indexName())).toList();
                Set<String> keys = new java.util.HashSet<>();
                table.keySchema().forEach(k -> keys.add(k.attributeName()));
                old.forEach(index -> index.keySchema().forEach(k -> keys.add(k.attributeName())));
                dynamo.createTable(table.toBuilder().globalSecondaryIndexes(old.isEmpty() ? null : old)
                        .attributeDefinitions(table.attributeDefinitions().stream()
                                .filter(a -> keys.contains(a.attributeName())).toList()).build());
            }
            Instant received = Instant.parse("2026-10-03T23:59:58.123Z");
            for (int i = 0; i < 30; i++) {
                dynamo.putItem(b -> b.tableName(tables.messages()).item(Map.of(
                        "message_id", AttributeValue.fromS(UUID.randomUUID().toString()),
                        "received_at", AttributeValue.fromS(received.toString()),
                        "structure", AttributeValue.fromS("ADT_A01"), "door", AttributeValue.fromS("mllp"))));
            }
            for (int i = 0; i < 5; i++) {
                dynamo.putItem(b -> b.tableName(tables.errors()).item(Map.of(
                        "error_id", AttributeValue.fromS(UUID.randomUUID().toString()),
                        "received_at", AttributeValue.fromS(received.toString()), "door", AttributeValue.fromS("http"))));
            }

            List<String> added = tables.createMissing(dynamo);

            assertThat(added).containsExactlyInAnyOrder(tables.messages() + "/" + CatalogTables.DAY_INDEX,
                    tables.messages() + "/" + CatalogTables.STRUCTURE_INDEX, tables.errors() + "/" + CatalogTables.DAY_INDEX);
            for (CreateTableRequest wanted : tables.definitions()) {
                assertThat(dynamo.describeTable(b -> b.tableName(wanted.tableName())).table().globalSecondaryIndexes()
                        .stream().map(GlobalSecondaryIndexDescription::indexName).toList())
                        .containsExactlyInAnyOrderElementsOf(wanted.globalSecondaryIndexes().stream()
                                .map(GlobalSecondaryIndex::indexName).toList());
            }
            assertThat(countDay(dynamo, tables.messages(), "2026-10-03")).isEqualTo(30);
            assertThat(countDay(dynamo, tables.errors(), "2026-10-03")).isEqualTo(5);
            assertThat(dynamo.query(b -> b.tableName(tables.messages()).indexName(CatalogTables.STRUCTURE_INDEX)
                    .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "structure"))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("ADT_A01")))).count()).isEqualTo(30);

            assertThat(tables.createMissing(dynamo)).as("a second start").isEmpty();
        }
    }

    private static int countDay(DynamoDbClient dynamo, String table, String day) {
        return dynamo.query(b -> b.tableName(table).indexName(CatalogTables.DAY_INDEX).keyConditionExpression("#d = :d")
                .expressionAttributeNames(Map.of("#d", "day")).expressionAttributeValues(Map.of(":d", AttributeValue.fromS(day))))
                .count();
    }
}
