package hl7lake.deploy;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cloudformation/hl7lake.yaml as data (its intrinsics are in long form, so it is plain YAML), and
 * its DynamoDB tables as the SDK's CreateTableRequests, with the stack's parameter defaults.
 */
final class Template {

    static final Path FILE = Path.of("cloudformation", "hl7lake.yaml");

    private final Map<String, Object> root;

    @SuppressWarnings("unchecked")
    Template() throws IOException {
        root = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(FILE));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(Object node, String... path) {
        Object current = node;
        for (String step : path) {
            current = ((Map<String, Object>) current).get(step);
        }
        return (Map<String, Object>) current;
    }

    @SuppressWarnings("unchecked")
    List<Object> list(Object node, String... path) {
        Object current = node;
        for (String step : path) {
            current = ((Map<String, Object>) current).get(step);
        }
        return (List<Object>) current;
    }

    Map<String, Object> root() {
        return root;
    }

    /** Resources of one type, by logical id. */
    Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root, "Resources").forEach((id, resource) -> {
            Map<String, Object> r = map(resource);
            if (type.equals(r.get("Type"))) {
                found.put(id, map(r, "Properties"));
            }
        });
        return found;
    }

    String parameterDefault(String name) {
        return String.valueOf(map(root, "Parameters", name).get("Default"));
    }

    /** The template's tables, as CreateTableRequests, names resolved with the TablePrefix default. */
    List<CreateTableRequest> tables() {
        String prefix = parameterDefault("TablePrefix");
        List<CreateTableRequest> tables = new ArrayList<>();
        for (Map<String, Object> table : resources("AWS::DynamoDB::Table").values()) {
            String name = String.valueOf(map(table, "TableName").get("Fn::Sub")).replace("${TablePrefix}", prefix);
            CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(name)
                    .billingMode(BillingMode.fromValue(String.valueOf(table.get("BillingMode"))))
                    .keySchema(keys(list(table, "KeySchema")))
                    .attributeDefinitions(list(table, "AttributeDefinitions").stream().map(a -> AttributeDefinition.builder()
                            .attributeName(String.valueOf(map(a).get("AttributeName")))
                            .attributeType(String.valueOf(map(a).get("AttributeType"))).build()).toList());
            if (table.containsKey("GlobalSecondaryIndexes")) {
                request.globalSecondaryIndexes(list(table, "GlobalSecondaryIndexes").stream().map(i -> GlobalSecondaryIndex.builder()
                        .indexName(String.valueOf(map(i).get("IndexName"))).keySchema(keys(list(i, "KeySchema")))
                        .projection(projection(map(i, "Projection"))).build()).toList());
            }
            tables.add(request.build());
        }
        return tables;
    }

    private static Projection projection(Map<String, Object> projection) {
        Projection.Builder builder = Projection.builder().projectionType(String.valueOf(projection.get("ProjectionType")));
        if (projection.get("NonKeyAttributes") instanceof List<?> attributes) {
            builder.nonKeyAttributes(attributes.stream().map(String::valueOf).toList());
        }
        return builder.build();
    }

    private List<KeySchemaElement> keys(List<Object> schema) {
        return schema.stream().map(k -> KeySchemaElement.builder().attributeName(String.valueOf(map(k).get("AttributeName")))
                .keyType(String.valueOf(map(k).get("KeyType"))).build()).toList();
    }
}
