package hl7lake.lake;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the three zones. Every object is written with server-side encryption; a staging document
 * is {@code application/json} and carries its lineage, the raw key, as the {@code data_src} tag and
 * as object metadata. Writes are whole-object puts to keys derived from our ids, so repeating one
 * (a retry) leaves the same object.
 */
public final class LakeWriter {

    private final S3Client s3;
    private final String bucket;

    public LakeWriter(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    public void raw(String key, byte[] bytes) {
        put(key, bytes, "application/hl7-v2", Map.of(), null);
    }

    public void staging(String key, byte[] document, String rawKey) {
        put(key, document, "application/json", Map.of("data_src", rawKey),
                "data_src=" + URLEncoder.encode(rawKey, StandardCharsets.UTF_8));
    }

    public void error(String key, byte[] bytes, String rawKey) {
        put(key, bytes, "application/hl7-v2", Map.of("data_src", rawKey),
                "data_src=" + URLEncoder.encode(rawKey, StandardCharsets.UTF_8));
    }

    /** Removes an object (nothing happens when it is not there). */
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    private void put(String key, byte[] bytes, String contentType, Map<String, String> metadata, String tagging) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(metadata).tagging(tagging)
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(bytes));
    }
}
