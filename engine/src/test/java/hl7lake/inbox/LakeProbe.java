package hl7lake.inbox;

import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tests' view of a lake over its endpoints: drop generated files, count what was cataloged. */
final class LakeProbe implements AutoCloseable {

    final S3Client s3;
    final DynamoDbClient dynamo;
    private final CatalogTables tables = new CatalogTables("hl7lake-");

    LakeProbe(URI s3Endpoint, URI dynamoEndpoint) {
        s3 = AwsClients.s3(s3Endpoint, "us-east-1");
        dynamo = AwsClients.dynamo(dynamoEndpoint, "us-east-1");
    }

    /** A file of {@code count} distinct ADT^A08 messages, control ids {@code <tag>-<n>}, 50 patients. */
    static byte[] generated(String tag, int count) {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < count; i++) {
            file.append("MSH|^~\\&|GEN|FAC|LAKE|L|20261123101500||ADT^A08|").append(tag).append('-').append(i)
                    .append("|P|2.5\rEVN|A08|20261123101500\rPID|1||MRN-").append(i % 50)
                    .append("^^^FAC^MR||TESTPATIENT^GENERATED\rPV1|1|O\r\n");
        }
        return file.toString().getBytes(StandardCharsets.US_ASCII);
    }

    void drop(String name, byte[] content) {
        s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/" + name), RequestBody.fromBytes(content));
    }

    List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }

    /** Message items per control id: exactly once means every count is 1. */
    Map<String, Integer> cataloged() {
        Map<String, Integer> counts = new HashMap<>();
        dynamo.scanPaginator(b -> b.tableName(tables.messages()).projectionExpression("control_id")).items()
                .forEach(item -> counts.merge(item.getOrDefault("control_id", AttributeValue.fromS("?")).s(), 1, Integer::sum));
        return counts;
    }

    @Override
    public void close() {
        s3.close();
        dynamo.close();
    }
}
