package hl7lake.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The API's opaque page tokens: DynamoDB's {@code LastEvaluatedKey} (string attributes: every key of
 * the catalog's tables and indexes is one) and, for a query over days, the day it stopped in,
 * as Base64url JSON. A token that does not decode is a 400; one that decodes to another key is
 * refused by DynamoDB's own check of {@code ExclusiveStartKey} against the index's key schema.
 */
final class PageTokens {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PageTokens() {
    }

    /** Where a query stopped: the day (null for one partition) and the last key read. */
    record Position(String day, Map<String, AttributeValue> key) {
    }

    static String encode(String day, Map<String, AttributeValue> lastKey) {
        Map<String, Object> token = new LinkedHashMap<>();
        if (day != null) {
            token.put("d", day);
        }
        Map<String, String> key = new LinkedHashMap<>();
        if (lastKey != null) {
            lastKey.forEach((name, value) -> key.put(name, value.s()));
        }
        token.put("k", key);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(token));
        } catch (Exception e) {
            throw new IllegalStateException("a page token could not be written", e);
        }
    }

    static Position decode(String token) throws ApiProblem.BadRequest {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            Map<String, Object> parsed = JSON.readValue(Base64.getUrlDecoder().decode(token.trim()),
                    new TypeReference<Map<String, Object>>() { });
            Map<String, AttributeValue> key = new LinkedHashMap<>();
            Object keys = parsed.get("k");
            if (keys instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!(entry.getKey() instanceof String name) || !(entry.getValue() instanceof String value)) {
                        throw new IllegalArgumentException("not a key");
                    }
                    key.put(name, AttributeValue.fromS(value));
                }
            }
            Object day = parsed.get("d");
            return new Position(day instanceof String d ? d : null, key.isEmpty() ? null : key);
        } catch (RuntimeException | java.io.IOException e) {
            throw new ApiProblem.BadRequest("page_token is not a page token of this API");
        }
    }

    /** An S3 listing's continuation token, wrapped as opaque as ours. */
    static String wrap(String s3Token) {
        return s3Token == null ? null
                : Base64.getUrlEncoder().withoutPadding().encodeToString(s3Token.getBytes(StandardCharsets.UTF_8));
    }

    static String unwrap(String token) throws ApiProblem.BadRequest {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem.BadRequest("page_token is not a page token of this API");
        }
    }
}
