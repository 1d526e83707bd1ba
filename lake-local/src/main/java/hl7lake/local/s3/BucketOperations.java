package hl7lake.local.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Create, head, list (v1 and v2, with prefix, delimiter and paging) and multi-delete. */
final class BucketOperations {

    private final ObjectStore store;

    BucketOperations(ObjectStore store) {
        this.store = store;
    }

    void handle(S3Exchange s3) throws Exception {
        switch (s3.method) {
            case "PUT" -> {
                store.createBucket(s3.bucket);
                s3.send(200, new byte[0]);
            }
            case "HEAD" -> s3.send(store.bucketExists(s3.bucket) ? 200 : 404, new byte[0]);
            case "GET" -> {
                if (!store.bucketExists(s3.bucket)) {
                    s3.error(404, "NoSuchBucket", "The specified bucket does not exist");
                } else if (s3.has("location")) {
                    s3.sendXml(200, S3Xml.HEADER + "<LocationConstraint" + S3Xml.NS + "/>");
                } else if (s3.query.keySet().stream().anyMatch(q -> !LIST_PARAMETERS.contains(q))) {
                    s3.error(501, "NotImplemented", "This bucket operation is not implemented by the local S3 server");
                } else {
                    s3.sendXml(200, list(s3));
                }
            }
            case "POST" -> {
                if (!s3.has("delete")) {
                    s3.error(501, "NotImplemented", "This bucket operation is not implemented by the local S3 server");
                    return;
                }
                List<String> deleted = new ArrayList<>();
                for (Map<String, String> object : S3Xml.read(s3.body(), "Object", "Key")) {
                    store.delete(s3.bucket, object.get("Key"));
                    deleted.add(object.get("Key"));
                }
                s3.sendXml(200, S3Xml.deleted(deleted));
            }
            default -> s3.error(501, "NotImplemented", "This bucket operation is not implemented by the local S3 server");
        }
    }

    private static final Set<String> LIST_PARAMETERS = Set.of("list-type", "prefix", "delimiter", "max-keys",
            "continuation-token", "start-after", "marker", "encoding-type", "fetch-owner");

    private String list(S3Exchange s3) throws IOException {
        boolean v2 = "2".equals(s3.query.get("list-type"));
        String prefix = s3.query.getOrDefault("prefix", "");
        String delimiter = s3.query.getOrDefault("delimiter", "");
        int maxKeys = Integer.parseInt(s3.query.getOrDefault("max-keys", "1000"));
        String after = v2 ? Optional.ofNullable(s3.query.get("continuation-token")).map(BucketOperations::untoken)
                .orElse(s3.query.getOrDefault("start-after", "")) : s3.query.getOrDefault("marker", "");

        StringBuilder contents = new StringBuilder();
        Set<String> prefixes = new LinkedHashSet<>();
        int count = 0;
        String last = null;
        boolean truncated = false;
        // a continuation after a common prefix skips every key under it
        boolean afterCommon = !after.isEmpty() && !delimiter.isEmpty() && after.endsWith(delimiter);
        Iterator<String> keys = store.keysAfter(s3.bucket, prefix, after, afterCommon);
        while (keys.hasNext()) {
            String key = keys.next();
            int cut = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
            String common = cut < 0 ? null : key.substring(0, cut + delimiter.length());
            if (count == maxKeys) {
                truncated = true;
                break;
            }
            count++;
            if (common != null) {
                prefixes.add(common);
                last = common;
                keys = store.keysAfter(s3.bucket, prefix, common, true); // the rest under it is one entry
                continue;
            }
            Optional<StoredObject> object = store.head(s3.bucket, key);
            if (object.isEmpty()) {
                continue; // deleted since it was listed
            }
            last = key;
            contents.append("<Contents><Key>").append(S3Xml.escape(key)).append("</Key><LastModified>")
                    .append(S3Xml.time(object.get().lastModified())).append("</LastModified><ETag>&quot;")
                    .append(object.get().etag()).append("&quot;</ETag><Size>").append(object.get().size())
                    .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
        }
        StringBuilder xml = new StringBuilder(S3Xml.HEADER).append("<ListBucketResult").append(S3Xml.NS).append(">")
                .append("<Name>").append(S3Xml.escape(s3.bucket)).append("</Name><Prefix>").append(S3Xml.escape(prefix))
                .append("</Prefix><MaxKeys>").append(maxKeys).append("</MaxKeys>");
        if (!delimiter.isEmpty()) {
            xml.append("<Delimiter>").append(S3Xml.escape(delimiter)).append("</Delimiter>");
        }
        xml.append("<IsTruncated>").append(truncated).append("</IsTruncated>");
        if (v2) {
            xml.append("<KeyCount>").append(count).append("</KeyCount>");
            if (s3.has("continuation-token")) {
                xml.append("<ContinuationToken>").append(S3Xml.escape(s3.query.get("continuation-token")))
                        .append("</ContinuationToken>");
            }
            if (truncated) {
                xml.append("<NextContinuationToken>").append(token(last)).append("</NextContinuationToken>");
            }
        } else {
            xml.append("<Marker>").append(S3Xml.escape(after)).append("</Marker>");
            if (truncated) {
                xml.append("<NextMarker>").append(S3Xml.escape(last)).append("</NextMarker>");
            }
        }
        xml.append(contents);
        prefixes.forEach(p -> xml.append("<CommonPrefixes><Prefix>").append(S3Xml.escape(p)).append("</Prefix></CommonPrefixes>"));
        return xml.append("</ListBucketResult>").toString();
    }

    private static String token(String lastKey) {
        return Base64.getUrlEncoder().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    private static String untoken(String token) {
        return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    }
}
