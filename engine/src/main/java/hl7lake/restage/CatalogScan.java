package hl7lake.restage;

import hl7lake.catalog.CatalogTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The accepted messages of a day range (and of one structure, if asked), read from the catalog's
 * messages table: the one list that names every accepted message with its ids, the raw bytes it came
 * from and its staging object, for every door (a drop file's messages are slices of its archive, not
 * raw objects of their own). The table has no index by day, so it is scanned, page by page (at most
 * {@value #PAGE} items held per segment), in parallel segments, the id range and the structure
 * applied as a filter; see docs/decisions.md, "Restage".
 */
final class CatalogScan {

    /** Items per page: small enough that a page is gone before the next one is read. */
    static final int PAGE = 500;

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final DayRange days;
    private final String structure;

    /** {@code structure} null: every structure. */
    CatalogScan(DynamoDbClient dynamo, CatalogTables tables, DayRange days, String structure) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.days = days;
        this.structure = structure;
    }

    /** Hands every message of segment {@code segment} of {@code segments} to {@code each}, page by page. */
    void scan(int segment, int segments, Consumer<StagedMessage> each) {
        Map<String, String> names = new HashMap<>();
        StringBuilder projection = new StringBuilder();
        for (int i = 0; i < StagedMessage.ATTRIBUTES.length; i++) {
            names.put("#a" + i, StagedMessage.ATTRIBUTES[i]); // names, not words: some are reserved in expressions
            projection.append(i == 0 ? "" : ",").append("#a").append(i);
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":lo", AttributeValue.fromS(days.lowest()));
        values.put(":hi", AttributeValue.fromS(days.above()));
        String filter = "#a0 >= :lo AND #a0 < :hi";
        if (structure != null) {
            values.put(":st", AttributeValue.fromS(structure));
            filter += " AND #a5 = :st";
        }
        ScanRequest request = ScanRequest.builder().tableName(tables.messages()).segment(segment).totalSegments(segments)
                .limit(PAGE).projectionExpression(projection.toString()).filterExpression(filter)
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
        dynamo.scanPaginator(request).items().forEach(item -> each.accept(StagedMessage.of(item)));
    }
}
