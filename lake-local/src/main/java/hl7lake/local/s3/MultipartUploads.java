package hl7lake.local.s3;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.nio.file.StandardCopyOption;

/**
 * Multipart uploads, which the AWS CLI uses for files over 8 MB: parts are kept as files under the
 * bucket's uploads directory until the upload completes into one object (atomically, like any put).
 */
final class MultipartUploads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;

    MultipartUploads(ObjectStore store) {
        this.store = store;
    }

    void handle(S3Exchange s3) throws Exception {
        if ("POST".equals(s3.method) && s3.has("uploads")) {
            String id = UUID.randomUUID().toString();
            Path dir = Files.createDirectories(store.uploads(s3.bucket).resolve(id));
            JSON.writeValue(dir.resolve("upload.json").toFile(), Map.of("key", s3.key,
                    "content_type", ObjectOperations.contentType(s3), "metadata", s3.metadata(),
                    "tags", ObjectOperations.tags(s3.header("x-amz-tagging"))));
            s3.sendXml(200, S3Xml.initiateUpload(s3.bucket, s3.key, id));
            return;
        }
        String id = s3.query.get("uploadId");
        Path dir = id == null || id.contains("/") || id.contains("..") ? null : store.uploads(s3.bucket).resolve(id);
        if (dir == null || !Files.isDirectory(dir)) {
            s3.error(404, "NoSuchUpload", "The specified multipart upload does not exist.");
            return;
        }
        switch (s3.method) {
            case "PUT" -> part(s3, dir);
            case "POST" -> complete(s3, dir);
            case "DELETE" -> {
                delete(dir);
                s3.send(204, new byte[0]);
            }
            default -> s3.error(501, "NotImplemented", "This multipart operation is not implemented by the local S3 server");
        }
    }

    private void part(S3Exchange s3, Path dir) throws IOException {
        int number = Integer.parseInt(s3.query.get("partNumber"));
        MessageDigest md5 = ObjectStore.md5();
        Path temp = dir.resolve("part-" + number + "." + UUID.randomUUID());
        try (InputStream body = new DigestInputStream(s3.body(), md5); OutputStream out = Files.newOutputStream(temp)) {
            body.transferTo(out);
        }
        Files.move(temp, dir.resolve("part-" + number), StandardCopyOption.REPLACE_EXISTING);
        s3.http.getResponseHeaders().set("ETag", "\"" + HexFormat.of().formatHex(md5.digest()) + "\"");
        s3.send(200, new byte[0]);
    }

    @SuppressWarnings("unchecked")
    private void complete(S3Exchange s3, Path dir) throws Exception {
        Map<String, Object> upload = JSON.readValue(dir.resolve("upload.json").toFile(), Map.class);
        List<Map<String, String>> parts = S3Xml.read(s3.body(), "Part", "PartNumber", "ETag");
        MessageDigest whole = ObjectStore.md5();
        MessageDigest ofParts = ObjectStore.md5();
        Path temp = store.temp(s3.bucket);
        long size = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            for (Map<String, String> part : parts) {
                Path file = dir.resolve("part-" + Integer.parseInt(part.get("PartNumber").trim()));
                if (!Files.isRegularFile(file)) {
                    s3.error(400, "InvalidPart", "One or more of the specified parts could not be found.");
                    return;
                }
                MessageDigest md5 = ObjectStore.md5();
                try (InputStream in = new DigestInputStream(new DigestInputStream(Files.newInputStream(file), md5), whole)) {
                    size += in.transferTo(out);
                }
                ofParts.update(md5.digest());
            }
            String etag = HexFormat.of().formatHex(ofParts.digest()) + "-" + parts.size();
            StoredObject object = new StoredObject(s3.key, size, etag, (String) upload.get("content_type"), Instant.now(),
                    (Map<String, String>) upload.get("metadata"), (Map<String, String>) upload.get("tags"));
            store.writeTrailer(out, object);
            out.close();
            store.commit(temp, s3.bucket, s3.key, false);
            delete(dir);
            s3.sendXml(200, S3Xml.completeUpload(s3.bucket, s3.key, etag));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }
}
