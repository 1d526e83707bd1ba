package hl7lake.local.s3;

import java.time.Instant;
import java.util.Map;

/** What the store knows of an object besides its bytes. */
record StoredObject(String key, long size, String etag, String contentType, Instant lastModified,
                    Map<String, String> metadata, Map<String, String> tags) {
}
