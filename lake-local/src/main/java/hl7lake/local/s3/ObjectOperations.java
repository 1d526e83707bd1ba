package hl7lake.local.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** PutObject (plain, conditional, copy), GetObject (with a range), HeadObject, DeleteObject, tagging. */
final class ObjectOperations {

    private final ObjectStore store;
    private final MultipartUploads uploads;

    ObjectOperations(ObjectStore store) {
        this.store = store;
        this.uploads = new MultipartUploads(store);
    }

    void handle(S3Exchange s3) throws Exception {
        if (!store.bucketExists(s3.bucket)) {
            s3.error(404, "NoSuchBucket", "The specified bucket does not exist");
            return;
        }
        if (s3.has("uploads") || s3.has("uploadId")) {
            uploads.handle(s3);
            return;
        }
        switch (s3.method) {
            case "PUT" -> {
                if (s3.has("tagging")) {
                    putTags(s3);
                } else if (s3.header("x-amz-copy-source") != null) {
                    copy(s3);
                } else {
                    put(s3);
                }
            }
            case "GET", "HEAD" -> {
                if (s3.has("tagging")) {
                    Optional<StoredObject> object = store.head(s3.bucket, s3.key);
                    if (object.isEmpty()) {
                        s3.error(404, "NoSuchKey", "The specified key does not exist.");
                    } else {
                        s3.sendXml(200, S3Xml.tagging(object.get().tags()));
                    }
                } else {
                    get(s3);
                }
            }
            case "DELETE" -> delete(s3);
            default -> s3.error(501, "NotImplemented", "This object operation is not implemented by the local S3 server");
        }
    }

    /** DeleteObject; with {@code If-Match} only while the object has that ETag (412, or 404 when absent), as S3 does. */
    private void delete(S3Exchange s3) throws IOException {
        String ifMatch = s3.header("If-Match");
        if (ifMatch == null) {
            store.delete(s3.bucket, s3.key);
            s3.send(204, new byte[0]);
            return;
        }
        switch (store.deleteIfMatch(s3.bucket, s3.key, ifMatch)) {
            case DELETED -> s3.send(204, new byte[0]);
            case ABSENT -> s3.error(404, "NoSuchKey", "The specified key does not exist.");
            case NOT_MATCHED -> preconditionFailed(s3);
        }
    }

    private static void preconditionFailed(S3Exchange s3) throws IOException {
        s3.error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    }

    private void put(S3Exchange s3) throws IOException {
        boolean ifNoneMatch = "*".equals(s3.header("If-None-Match"));
        try (InputStream body = s3.body()) {
            StoredObject object = store.put(s3.bucket, s3.key, body, contentType(s3), s3.metadata(),
                    tags(s3.header("x-amz-tagging")), ifNoneMatch);
            s3.http.getResponseHeaders().set("ETag", "\"" + object.etag() + "\"");
            echoEncryption(s3);
            s3.send(200, new byte[0]);
        } catch (ObjectStore.PreconditionFailed exists) {
            s3.error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        }
    }

    private void copy(S3Exchange s3) throws IOException {
        String source = S3Exchange.decodePath(s3.header("x-amz-copy-source").split("\\?")[0]);
        String[] parts = (source.startsWith("/") ? source.substring(1) : source).split("/", 2);
        String sourceKey = parts.length > 1 ? parts[1] : "";
        if (!ObjectStore.validBucketName(parts[0])) {
            s3.error(400, "InvalidBucketName", "The specified bucket is not valid.");
            return;
        }
        if (!ObjectStore.validKey(sourceKey)) {
            s3.error(400, "KeyTooLongError", "Your key is too long");
            return;
        }
        Optional<ObjectStore.Opened> opened = store.open(parts[0], sourceKey, 0);
        if (opened.isEmpty()) {
            s3.error(404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        try (ObjectStore.Opened from = opened.get()) {
            // the version opened is the one copied, so the check holds for what is copied
            String ifMatch = s3.header("x-amz-copy-source-if-match");
            if (ifMatch != null && !ObjectStore.matches(ifMatch, from.object().etag())) {
                preconditionFailed(s3);
                return;
            }
            boolean replaceMetadata = "REPLACE".equalsIgnoreCase(s3.header("x-amz-metadata-directive"));
            boolean replaceTags = "REPLACE".equalsIgnoreCase(s3.header("x-amz-tagging-directive"));
            StoredObject copied = store.put(s3.bucket, s3.key, from.body(),
                    replaceMetadata ? contentType(s3) : from.object().contentType(),
                    replaceMetadata ? s3.metadata() : from.object().metadata(),
                    replaceTags ? tags(s3.header("x-amz-tagging")) : from.object().tags(), false);
            s3.sendXml(200, S3Xml.copyResult(copied));
        }
    }

    private void putTags(S3Exchange s3) throws Exception {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map<String, String> tag : S3Xml.read(s3.body(), "Tag", "Key", "Value")) {
            tags.put(tag.get("Key"), tag.get("Value") == null ? "" : tag.get("Value"));
        }
        if (store.putTags(s3.bucket, s3.key, tags)) {
            s3.send(200, new byte[0]);
        } else {
            s3.error(404, "NoSuchKey", "The specified key does not exist.");
        }
    }

    private void get(S3Exchange s3) throws IOException {
        long[] range = range(s3.header("Range"));
        Optional<ObjectStore.Opened> opened = store.open(s3.bucket, s3.key, range == null ? 0 : range[0]);
        if (opened.isEmpty()) {
            s3.error(404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        try (ObjectStore.Opened found = opened.get()) {
            StoredObject object = found.object();
            String ifMatch = s3.header("If-Match");
            if (ifMatch != null && !ObjectStore.matches(ifMatch, object.etag())) {
                preconditionFailed(s3);
                return;
            }
            var headers = s3.http.getResponseHeaders();
            headers.set("Content-Type", object.contentType());
            headers.set("ETag", "\"" + object.etag() + "\"");
            headers.set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(object.lastModified().atOffset(ZoneOffset.UTC)));
            headers.set("Accept-Ranges", "bytes");
            object.metadata().forEach((name, value) -> headers.set("x-amz-meta-" + name, value));
            if (!object.tags().isEmpty()) {
                headers.set("x-amz-tagging-count", Integer.toString(object.tags().size()));
            }
            if (range == null || range[0] >= object.size()) {
                s3.sendStream(200, object.size(), found.body());
                return;
            }
            long end = Math.min(range[1] < 0 ? object.size() - 1 : range[1], object.size() - 1);
            headers.set("Content-Range", "bytes " + range[0] + "-" + end + "/" + object.size());
            s3.sendStream(206, end - range[0] + 1, new ObjectStore.Bounded(found.body(), end - range[0] + 1));
        }
    }

    /** {@code bytes=a-b} or {@code bytes=a-}; other forms are answered with the whole object. */
    private static long[] range(String header) {
        if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String[] bounds = header.substring(6).split("-", -1);
        if (bounds[0].isEmpty()) {
            return null;
        }
        return new long[] {Long.parseLong(bounds[0]), bounds[1].isEmpty() ? -1 : Long.parseLong(bounds[1])};
    }

    static String contentType(S3Exchange s3) {
        String type = s3.header("Content-Type");
        return type == null ? "binary/octet-stream" : type;
    }

    /** The local store does not encrypt; it acknowledges the header as S3 does, so clients that check it work. */
    static void echoEncryption(S3Exchange s3) {
        String sse = s3.header("x-amz-server-side-encryption");
        if (sse != null) {
            s3.http.getResponseHeaders().set("x-amz-server-side-encryption", sse);
        }
    }

    /** {@code x-amz-tagging}: a URL query string of tags. */
    static Map<String, String> tags(String header) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header == null || header.isEmpty()) {
            return tags;
        }
        for (String pair : header.split("&")) {
            int eq = pair.indexOf('=');
            tags.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return tags;
    }
}
