package hl7lake.api;

import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.CatalogTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The query API's reads of the catalog: every one a GetItem or a Query on a table's key or one of
 * its indexes ({@link CatalogTables}), never a Scan; lists a page at a time from DynamoDB's
 * {@code LastEvaluatedKey} ({@link PageTokens}).
 */
final class CatalogReader {

    /** A page of items and where the next starts (null: the last page). */
    record Page(List<Map<String, AttributeValue>> items, String next) {
    }

    /** A query's bounds on {@code received_at}, inclusive (ISO-8601 strings compare as time). */
    record Span(String lower, String upper) {
    }

    private final DynamoDbClient dynamo;
    private final CatalogTables tables;

    CatalogReader(DynamoDbClient dynamo, CatalogTables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    Optional<Map<String, AttributeValue>> message(String id) {
        return get(tables.messages(), "message_id", id);
    }

    Optional<Map<String, AttributeValue>> error(String id) {
        return get(tables.errors(), "error_id", id);
    }

    /** One partition of an index (or the table), newest first, received_at within {@code span}. */
    Page partition(String table, String index, String hashName, String hashValue, Span span, int limit, String token)
            throws ApiProblem.BadRequest {
        PageTokens.Position from = PageTokens.decode(token);
        QueryResponse response = dynamo.query(query(table, index, hashName, hashValue, span, limit,
                from == null ? null : from.key(), null).build());
        return new Page(response.items(), response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? PageTokens.encode(null, response.lastEvaluatedKey()) : null);
    }

    /**
     * A {@code day_index} over days, newest first: day by day from {@code to} back to {@code from},
     * until {@code limit} items; only items whose {@code filter} attribute (null: all) is {@code filterValue}.
     */
    Page days(String table, LocalDate from, LocalDate to, Span span, int limit, String token, String filter,
              AttributeValue filterValue) throws ApiProblem.BadRequest {
        PageTokens.Position position = PageTokens.decode(token);
        LocalDate day = to;
        Map<String, AttributeValue> start = null;
        if (position != null) {
            try {
                day = LocalDate.parse(position.day());
            } catch (RuntimeException e) {
                throw new ApiProblem.BadRequest("page_token is not a page token of this query");
            }
            if (day.isBefore(from) || day.isAfter(to)) {
                throw new ApiProblem.BadRequest("page_token is not a page token of this query");
            }
            start = position.key();
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        while (!day.isBefore(from)) {
            QueryRequest.Builder query = query(table, CatalogTables.DAY_INDEX, "day", day.toString(), span,
                    limit - items.size(), start, null);
            if (filter != null) {
                Map<String, AttributeValue> values = new HashMap<>(query.build().expressionAttributeValues());
                values.put(":f", filterValue);
                Map<String, String> names = new HashMap<>(query.build().expressionAttributeNames());
                names.put("#f", filter);
                query.filterExpression("#f = :f").expressionAttributeValues(values).expressionAttributeNames(names);
            }
            QueryResponse response = dynamo.query(query.build());
            items.addAll(response.items());
            boolean more = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
            if (more) {
                if (items.size() >= limit) {
                    return new Page(items, PageTokens.encode(day.toString(), response.lastEvaluatedKey()));
                }
                start = response.lastEvaluatedKey();
                continue;
            }
            start = null;
            day = day.minusDays(1);
            if (items.size() >= limit) {
                return new Page(items, day.isBefore(from) ? null : PageTokens.encode(day.toString(), null));
            }
        }
        return new Page(items, null);
    }

    /**
     * Every item of one day, only its {@code door} and {@code received_at}, for the counts: a Query of the
     * day's partition of {@code day_index}. A missing door reads as {@code unknown}.
     */
    List<DoorTime> dayDoors(String table, LocalDate day) {
        List<DoorTime> values = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(CatalogTables.DAY_INDEX)
                    .keyConditionExpression("#h = :h").projectionExpression("#d, #r")
                    .expressionAttributeNames(Map.of("#h", "day", "#d", "door", "#r", "received_at"))
                    .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(day.toString())));
            if (start != null) {
                query.exclusiveStartKey(start);
            }
            QueryResponse response = dynamo.query(query.build());
            response.items().forEach(item -> values.add(new DoorTime(
                    item.containsKey("door") ? item.get("door").s() : "unknown",
                    item.containsKey("received_at") ? item.get("received_at").s() : "")));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return values;
    }

    /** A cataloged item's door and its {@code received_at} (ISO-8601, UTC). */
    record DoorTime(String door, String receivedAt) {
        /** The hour it was received, {@code yyyy-mm-ddThh}, or null when the time is missing. */
        String hour() {
            return receivedAt.length() >= 13 ? receivedAt.substring(0, 13) : null;
        }
    }

    /** The uuids an identifier ({@code authority#type#id}) belongs to, by {@code local_index}. */
    Set<String> patientsOf(String identifier) {
        Set<String> uuids = new LinkedHashSet<>();
        dynamo.queryPaginator(q -> q.tableName(tables.patientIds()).indexName(CatalogTables.LOCAL_INDEX)
                        .keyConditionExpression("local_id = :l")
                        .expressionAttributeValues(Map.of(":l", AttributeValue.fromS(CatalogLimits.key(identifier)))))
                .items().forEach(item -> uuids.add(item.get("uuid").s()));
        return uuids;
    }

    /** A patient's identifiers (its {@code patient_ids} items), by the table's key. */
    List<Map<String, AttributeValue>> identifiers(String uuid) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.queryPaginator(q -> q.tableName(tables.patientIds()).keyConditionExpression("#u = :u")
                        .expressionAttributeNames(Map.of("#u", "uuid"))
                        .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(uuid))).consistentRead(true))
                .items().forEach(items::add);
        return items;
    }

    private static QueryRequest.Builder query(String table, String index, String hashName, String hashValue, Span span,
                                              int limit, Map<String, AttributeValue> start, String filter) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(index)
                .keyConditionExpression("#h = :h AND #r BETWEEN :lo AND :hi")
                .expressionAttributeNames(Map.of("#h", hashName, "#r", "received_at"))
                .expressionAttributeValues(Map.of(":h", AttributeValue.fromS(hashValue),
                        ":lo", AttributeValue.fromS(span.lower()), ":hi", AttributeValue.fromS(span.upper())))
                .scanIndexForward(false).limit(limit);
        if (filter != null) {
            query.filterExpression(filter);
        }
        if (start != null) {
            query.exclusiveStartKey(start);
        }
        return query;
    }

    private Optional<Map<String, AttributeValue>> get(String table, String keyName, String id) {
        var response = dynamo.getItem(b -> b.tableName(table).key(Map.of(keyName, AttributeValue.fromS(id))));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
    }
}
