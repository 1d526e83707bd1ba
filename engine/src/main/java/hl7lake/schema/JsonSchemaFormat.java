package hl7lake.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * A structure's document shape as a JSON Schema (draft 2020-12): every object closed
 * ({@code additionalProperties: false}) except the string → string maps, so that a document with a
 * key or a type the schema does not name fails validation.
 */
public final class JsonSchemaFormat {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JsonSchemaFormat() {
    }

    public static ObjectNode of(String structure, Shape.Struct document) {
        ObjectNode schema = JSON.objectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", "hl7lake staging document, HL7 v2.5 " + structure);
        schema.setAll(node(document));
        return schema;
    }

    static ObjectNode node(Shape shape) {
        ObjectNode node = JSON.objectNode();
        if (shape instanceof Shape.Text) {
            node.set("type", JSON.arrayNode().add("string").add("null"));
        } else if (shape instanceof Shape.Number number) {
            node.put("type", number.integer() ? "integer" : "number");
        } else if (shape instanceof Shape.ArrayOf array) {
            node.put("type", "array");
            node.set("items", node(array.element()));
        } else if (shape instanceof Shape.StringMap) {
            node.put("type", "object");
            node.set("additionalProperties", JSON.objectNode().put("type", "string"));
        } else if (shape instanceof Shape.Struct struct) {
            node.put("type", "object");
            ObjectNode properties = node.putObject("properties");
            for (Map.Entry<String, Shape> field : struct.fields().entrySet()) {
                properties.set(field.getKey(), node(field.getValue()));
            }
            node.put("additionalProperties", false);
            if (!struct.required().isEmpty()) {
                ArrayNode required = node.putArray("required");
                struct.fields().keySet().stream().filter(struct.required()::contains).forEach(required::add);
            }
        }
        return node;
    }
}
