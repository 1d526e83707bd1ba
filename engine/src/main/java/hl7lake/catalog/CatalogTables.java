package hl7lake.catalog;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The catalog's tables (docs/architecture.md §4), named {@code <prefix><table>}: their keys and indexes
 * in one place, so that the local mode creates exactly what AWS mode checks for.
 *
 * <ul>
 *   <li>{@code patient_ids}: HASH uuid, RANGE local_id; GSI {@value #LOCAL_INDEX} (local_id, uuid).</li>
 *   <li>{@code messages}: HASH message_id; GSI {@value #PATIENT_INDEX} (patient_uuid, received_at) and
 *       GSI {@value #CONTROL_INDEX} (sender_control, received_at) to find a message by sender + control id,
 *       GSI {@value #DAY_INDEX} (day, received_at) and GSI {@value #STRUCTURE_INDEX} (structure, received_at)
 *       for the query API's lists by time and by structure. These four hold a message's
 *       {@link #MESSAGE_SUMMARY} only (projection INCLUDE), what a list shows; the whole record is a GetItem
 *       by its key (docs/decisions.md, "A list of messages is a list of summaries").</li>
 *   <li>{@code errors}: HASH error_id; GSI {@value #DAY_INDEX} (day, received_at).</li>
 *   <li>{@code claims}: HASH claim_id; strongly consistent, conditionally written records of what must
 *       happen once (a patient identifier's uuid, a message's content).</li>
 * </ul>
 */
public final class CatalogTables {

    public static final String LOCAL_INDEX = "local_index";
    public static final String PATIENT_INDEX = "patient_index";
    public static final String CONTROL_INDEX = "control_index";
    public static final String DAY_INDEX = "day_index";
    public static final String STRUCTURE_INDEX = "structure_index";

    /**
     * What a list of messages gives of each (the query API's summary, the dashboard's result rows): the
     * attributes the {@code messages} table's indexes hold besides their keys, plus the keys they always hold.
     * Every index key of that table is among them but {@code day} and {@code sender_control}, which a
     * summary leaves out (they repeat {@code received_at} and the sender's fields).
     */
    public static final List<String> MESSAGE_SUMMARY = List.of("message_id", "received_at", "door", "structure",
            "message_type", "trigger_event", "sending_application", "sending_facility", "control_id", "patient_uuid",
            "replay_of");

    private final String prefix;

    public CatalogTables(String prefix) {
        this.prefix = prefix;
    }

    public String patientIds() {
        return prefix + "patient_ids";
    }

    public String messages() {
        return prefix + "messages";
    }

    public String errors() {
        return prefix + "errors";
    }

    public String claims() {
        return prefix + "claims";
    }

    public List<String> all() {
        return List.of(patientIds(), messages(), errors(), claims());
    }

    /**
     * Every table that does not exist, by name; what AWS mode reports when it fails fast. The
     * tables are asked about at once, not one after the other (a round trip each at start-up).
     */
    public List<String> missing(DynamoDbClient dynamo) {
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (String table : all()) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    dynamo.describeTable(b -> b.tableName(table));
                    return null;
                } catch (ResourceNotFoundException e) {
                    return table;
                }
            }, oneThreadEach()));
        }
        List<String> missing = new ArrayList<>();
        for (CompletableFuture<String> answer : answers) {
            String table = join(answer);
            if (table != null) {
                missing.add(table);
            }
        }
        return missing;
    }

    /**
     * Creates the tables that are missing (the local mode), on-demand, as the stack defines them, and
     * brings a table made by an older version up to date: an index it lacks is added
     * ({@link CatalogUpgrade}). One ListTables, then each table created or described at once.
     * Returns what was added to existing tables ({@code table/index}), for the log.
     */
    public List<String> createMissing(DynamoDbClient dynamo) {
        Set<String> existing = new HashSet<>();
        dynamo.listTablesPaginator().tableNames().forEach(existing::add);
        List<CompletableFuture<List<String>>> work = new ArrayList<>();
        for (CreateTableRequest request : definitions()) {
            work.add(CompletableFuture.supplyAsync(() -> {
                if (existing.contains(request.tableName())) {
                    return CatalogUpgrade.addMissingIndexes(dynamo, request);
                }
                try {
                    TableStatus status = dynamo.createTable(request).tableDescription().tableStatus();
                    if (status != TableStatus.ACTIVE) { // DynamoDB Local's are at once; DynamoDB's take a while
                        dynamo.waiter().waitUntilTableExists(b -> b.tableName(request.tableName()));
                    }
                } catch (ResourceInUseException alreadyThere) {
                    // created meanwhile by another instance
                }
                return List.of();
            }, oneThreadEach()));
        }
        List<String> added = new ArrayList<>();
        work.forEach(answer -> added.addAll(join(answer)));
        return added;
    }

    /** A new thread per start-up call: a handful of blocking round trips, not worth a pool. */
    private static Executor oneThreadEach() {
        return call -> {
            Thread thread = new Thread(call, "catalog-tables");
            thread.setDaemon(true);
            thread.start();
        };
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The tables as local mode creates them and AWS mode expects them (the CloudFormation template is tested against this). */
    public List<CreateTableRequest> definitions() {
        return List.of(
                table(patientIds(), key("uuid", "local_id"), attributes("uuid", "local_id"),
                        index(LOCAL_INDEX, key("local_id", "uuid"))),
                table(messages(), key("message_id", null),
                        attributes("message_id", "patient_uuid", "received_at", "sender_control", "day", "structure"),
                        summaryIndex(PATIENT_INDEX, key("patient_uuid", "received_at")),
                        summaryIndex(CONTROL_INDEX, key("sender_control", "received_at")),
                        summaryIndex(DAY_INDEX, key("day", "received_at")),
                        summaryIndex(STRUCTURE_INDEX, key("structure", "received_at"))),
                table(errors(), key("error_id", null), attributes("error_id", "day", "received_at"),
                        index(DAY_INDEX, key("day", "received_at"))),
                table(claims(), key("claim_id", null), attributes("claim_id")));
    }

    private static CreateTableRequest table(String name, List<KeySchemaElement> key, List<AttributeDefinition> attributes,
                                            GlobalSecondaryIndex... indexes) {
        CreateTableRequest.Builder builder = CreateTableRequest.builder().tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST).keySchema(key).attributeDefinitions(attributes);
        if (indexes.length > 0) {
            builder.globalSecondaryIndexes(indexes);
        }
        return builder.build();
    }

    private static GlobalSecondaryIndex index(String name, List<KeySchemaElement> key) {
        return GlobalSecondaryIndex.builder().indexName(name).keySchema(key)
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build();
    }

    /**
     * An index of the {@code messages} table: its keys and the {@link #MESSAGE_SUMMARY}'s other attributes
     * (DynamoDB refuses a key attribute among the non-key ones).
     */
    private static GlobalSecondaryIndex summaryIndex(String name, List<KeySchemaElement> key) {
        Set<String> keys = new HashSet<>(List.of("message_id"));
        key.forEach(k -> keys.add(k.attributeName()));
        List<String> others = MESSAGE_SUMMARY.stream().filter(a -> !keys.contains(a)).toList();
        return GlobalSecondaryIndex.builder().indexName(name).keySchema(key)
                .projection(Projection.builder().projectionType(ProjectionType.INCLUDE).nonKeyAttributes(others).build()).build();
    }

    private static List<KeySchemaElement> key(String hash, String range) {
        List<KeySchemaElement> key = new ArrayList<>();
        key.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
        if (range != null) {
            key.add(KeySchemaElement.builder().attributeName(range).keyType(KeyType.RANGE).build());
        }
        return key;
    }

    private static List<AttributeDefinition> attributes(String... names) {
        List<AttributeDefinition> definitions = new ArrayList<>();
        for (String name : names) {
            definitions.add(AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build());
        }
        return definitions;
    }
}
