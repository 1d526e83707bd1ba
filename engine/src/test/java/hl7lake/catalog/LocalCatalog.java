package hl7lake.catalog;

import hl7lake.config.AwsClients;
import hl7lake.local.EmbeddedDynamoDb;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.UUID;

/** DynamoDB Local in memory on a free port, with the catalog's tables under a fresh prefix. */
final class LocalCatalog implements AutoCloseable {

    final EmbeddedDynamoDb server = EmbeddedDynamoDb.start(0, null);
    final DynamoDbClient dynamo = AwsClients.dynamo(server.endpoint(), "us-east-1");
    final CatalogTables tables = new CatalogTables("t" + UUID.randomUUID().toString().substring(0, 8) + "-");

    LocalCatalog() {
        tables.createMissing(dynamo);
    }

    @Override
    public void close() {
        dynamo.close();
        server.close();
    }
}
