package hl7lake.ingest;

import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Which failures are the message's: the exceptions here are the real SDK's, from DynamoDB Local
 * over a socket (or from no server at all), not built by hand.
 */
class StorageFailuresTest {

    private static EmbeddedDynamoDb server;
    private static DynamoDbClient dynamo;
    private static final CatalogTables TABLES = new CatalogTables("sf-");

    @BeforeAll
    static void start() {
        server = EmbeddedDynamoDb.start(0, null);
        dynamo = AwsClients.dynamo(server.endpoint(), "us-east-1");
        TABLES.createMissing(dynamo);
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        server.close();
    }

    private static Map<String, AttributeValue> claim(String id) {
        return Map.of("claim_id", AttributeValue.fromS(id));
    }

    @Test
    void a_key_over_the_stores_limit_is_the_messages_problem() {
        Throwable refused = catchThrowable(() -> dynamo.putItem(b -> b.tableName(TABLES.claims()).item(claim("x".repeat(3000)))));
        assertThat(StorageFailures.refusedAsInvalid(refused)).hasValue("ValidationException");
    }

    @Test
    void a_transaction_over_100_items_is_the_messages_problem() {
        List<TransactWriteItem> puts = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            String id = "tx-" + i;
            puts.add(TransactWriteItem.builder().put(p -> p.tableName(TABLES.claims()).item(claim(id))).build());
        }
        Throwable refused = catchThrowable(() -> dynamo.transactWriteItems(b -> b.transactItems(puts)));
        assertThat(StorageFailures.refusedAsInvalid(refused)).isPresent();
    }

    @Test
    void a_lost_condition_a_missing_table_and_a_store_that_does_not_answer_are_not() {
        dynamo.putItem(b -> b.tableName(TABLES.claims()).item(claim("once")));
        Throwable lost = catchThrowable(() -> dynamo.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                .put(p -> p.tableName(TABLES.claims()).item(claim("once")).conditionExpression("attribute_not_exists(claim_id)"))
                .build())));
        assertThat(lost).isNotNull();
        assertThat(StorageFailures.refusedAsInvalid(lost)).isEmpty();

        Throwable missing = catchThrowable(() -> dynamo.putItem(b -> b.tableName("sf-no-such-table").item(claim("a"))));
        assertThat(missing).isNotNull();
        assertThat(StorageFailures.refusedAsInvalid(missing)).isEmpty();

        try (DynamoDbClient nobody = AwsClients.dynamo(URI.create("http://127.0.0.1:" + FreePorts.find()), "us-east-1")) {
            Throwable refusedConnection = catchThrowable(() -> nobody.putItem(b -> b.tableName(TABLES.claims()).item(claim("b"))));
            assertThat(refusedConnection).isNotNull();
            assertThat(StorageFailures.refusedAsInvalid(refusedConnection)).isEmpty();
        }
    }
}
