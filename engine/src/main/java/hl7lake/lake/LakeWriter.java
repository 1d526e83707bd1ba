package hl7lake.lake;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the three zones, and moves drop files from the inbox into the raw zone. Every object is written with server-side encryption; a staging document
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

    /**
     * Copies the version of an inbox file with this ETag to its archive key, unless an earlier try
     * did. Returns that version's id ("" where the bucket keeps no versions; empty when the version
     * is no longer the inbox's current one, but an earlier try archived it).
     *
     * @throws Superseded the version left the inbox or was replaced, and was never archived
     */
    public Optional<String> archiveDropFile(String inboxKey, String etag, String archiveKey) {
        Optional<String> versionId;
        try {
            // If-Match: the version claimed, not whatever was uploaded over it since it was discovered
            String id = s3.headObject(b -> b.bucket(bucket).key(inboxKey).ifMatch(quoted(etag))).versionId();
            versionId = Optional.of(id == null ? "" : id);
        } catch (S3Exception gone) {
            if (gone.statusCode() != 404 && gone.statusCode() != 412) {
                throw gone;
            }
            versionId = Optional.empty();
        }
        try {
            s3.headObject(b -> b.bucket(bucket).key(archiveKey));
            return versionId; // an earlier try archived it
        } catch (NoSuchKeyException notYet) {
            if (versionId.isEmpty()) {
                throw new Superseded();
            }
        }
        String version = versionId.get();
        try {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(inboxKey).copySourceIfMatch(quoted(etag))
                    .sourceVersionId(version.isEmpty() ? null : version)
                    .destinationBucket(bucket).destinationKey(archiveKey)
                    .serverSideEncryption(ServerSideEncryption.AES256));
        } catch (S3Exception gone) {
            if (gone.statusCode() == 404 || gone.statusCode() == 412) {
                throw new Superseded();
            }
            throw gone;
        }
        return versionId;
    }

    /** Reads an object as a stream (a drop file's archive); abort it to stop early without draining it. */
    public ResponseInputStream<GetObjectResponse> open(String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key));
    }

    /** A drop file's report, beside its archive. */
    public void dropFileReport(String key, byte[] json) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(json));
    }

    /**
     * Removes exactly the version that was ingested from the inbox: by its version id where the
     * bucket is versioned (AWS: the stack turns versioning on), else only if the key still holds
     * that ETag (S3's conditional delete, {@code If-Match}). A newer upload under the same key is
     * left for the next discovery. Returns what happened, for the log.
     */
    public String removeDropFile(String inboxKey, String etag, String versionId) {
        try {
            if (versionId != null && !versionId.isEmpty()) {
                s3.deleteObject(b -> b.bucket(bucket).key(inboxKey).versionId(versionId));
            } else {
                s3.deleteObject(b -> b.bucket(bucket).key(inboxKey).ifMatch(quoted(etag)));
            }
            return "removed from the inbox";
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return "a newer version is in the inbox; it is ingested next";
            }
            if (e.statusCode() == 404) {
                return "already gone from the inbox";
            }
            throw e;
        }
    }

    private static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    /** The version of a drop file that was claimed is no longer in the inbox and was not archived by an earlier try. */
    public static final class Superseded extends RuntimeException {
        Superseded() {
            super("the file's version left the inbox before it was archived", null, false, false);
        }
    }
}
