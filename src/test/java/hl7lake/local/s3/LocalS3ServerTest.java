package hl7lake.local.s3;

import hl7lake.config.AwsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tag;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local S3 server through the real AWS SDK over a real socket. */
class LocalS3ServerTest {

    @TempDir
    Path directory;
    private LocalS3Server server;
    private S3Client s3;

    @BeforeEach
    void start() {
        server = LocalS3Server.start(0, directory);
        server.createBucket("lake");
        s3 = AwsClients.s3(server.endpoint(), "us-east-1");
    }

    @AfterEach
    void stop() {
        s3.close();
        server.close();
    }

    private void put(String key, String body) {
        s3.putObject(b -> b.bucket("lake").key(key), RequestBody.fromString(body));
    }

    private String get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket("lake").key(key)).asUtf8String();
    }

    @Test
    void an_object_keeps_its_bytes_type_metadata_and_tags_exactly() {
        byte[] bytes = "MSH|^~\\&|é\r".getBytes(StandardCharsets.ISO_8859_1);
        s3.putObject(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/date=2026-11-23/m1.json")
                        .contentType("application/json").metadata(Map.of("data_src", "raw/hl7v2/2026/11/23/m1.hl7"))
                        .tagging("data_src=raw/hl7v2/2026/11/23/m1.hl7").serverSideEncryption(ServerSideEncryption.AES256),
                RequestBody.fromBytes(bytes));
        var object = s3.getObjectAsBytes(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/date=2026-11-23/m1.json"));
        assertThat(object.asByteArray()).isEqualTo(bytes);
        assertThat(object.response().contentType()).isEqualTo("application/json");
        assertThat(object.response().metadata()).containsEntry("data_src", "raw/hl7v2/2026/11/23/m1.hl7");
        assertThat(s3.getObjectTagging(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/date=2026-11-23/m1.json")).tagSet())
                .containsExactly(Tag.builder().key("data_src").value("raw/hl7v2/2026/11/23/m1.hl7").build());
        assertThat(s3.headObject(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/date=2026-11-23/m1.json"))
                .contentLength()).isEqualTo(bytes.length);
    }

    @Test
    void tags_can_be_set_after_the_put_and_survive_a_copy() {
        put("raw/inbox/f.hl7", "batch");
        s3.putObjectTagging(b -> b.bucket("lake").key("raw/inbox/f.hl7")
                .tagging(t -> t.tagSet(Tag.builder().key("state").value("claimed").build())));
        s3.copyObject(b -> b.sourceBucket("lake").sourceKey("raw/inbox/f.hl7").destinationBucket("lake")
                .destinationKey("raw/files/2026/11/23/f.hl7"));
        assertThat(get("raw/files/2026/11/23/f.hl7")).isEqualTo("batch");
        assertThat(s3.getObjectTagging(b -> b.bucket("lake").key("raw/files/2026/11/23/f.hl7")).tagSet())
                .extracting(Tag::value).containsExactly("claimed");
    }

    @Test
    void if_none_match_keeps_the_first_object() {
        s3.putObject(b -> b.bucket("lake").key("raw/x.hl7").ifNoneMatch("*"), RequestBody.fromString("first"));
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket("lake").key("raw/x.hl7").ifNoneMatch("*"),
                RequestBody.fromString("second"))).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThat(get("raw/x.hl7")).isEqualTo("first");
    }

    @Test
    void every_page_size_lists_tricky_keys_in_s3_byte_order_with_and_without_a_delimiter() {
        List<String> keys = List.of("a", "a-c", "a.b", "a/b", "a/b/c", "a/b-", "a0", "b", "x//y", "x/%", "end.o",
                "\u00fcn\u00ef/c", "z/y/x/w", "a/b/c/d");
        for (String key : keys) {
            s3.putObject(b -> b.bucket("lake").key(key), RequestBody.fromString(key));
        }
        List<String> expected = keys.stream().sorted((x, y) -> java.util.Arrays.compareUnsigned(
                x.getBytes(java.nio.charset.StandardCharsets.UTF_8), y.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
        for (int page = 1; page <= 4; page++) {
            int size = page;
            List<String> listed = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket("lake").maxKeys(size)).contents().forEach(o -> listed.add(o.key()));
            assertThat(listed).as("pages of " + size).containsExactlyElementsOf(expected);
            List<String> top = new ArrayList<>();
            var pages = s3.listObjectsV2Paginator(b -> b.bucket("lake").delimiter("/").maxKeys(size));
            pages.forEach(r -> {
                r.contents().forEach(o -> top.add(o.key()));
                r.commonPrefixes().forEach(p -> top.add(p.prefix()));
            });
            assertThat(top).as("top level, pages of " + size).containsExactlyInAnyOrder("a", "a-c", "a.b", "a/", "a0", "b",
                    "x/", "end.o", "\u00fcn\u00ef/", "z/");
            List<String> underA = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket("lake").prefix("a/").maxKeys(size)).contents().forEach(o -> underA.add(o.key()));
            assertThat(underA).containsExactly("a/b", "a/b-", "a/b/c", "a/b/c/d");
        }
    }

    @Test
    void listing_pages_through_keys_in_order_with_prefixes_and_delimiters() {
        List<String> keys = List.of("staging/a/1.json", "staging/a/2.json", "staging/b/1.json", "staging/c.json",
                "staging/d", "error/e.hl7");
        keys.forEach(key -> put(key, key));
        List<String> listed = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket("lake").prefix("staging/").maxKeys(2)).contents()
                .forEach(o -> listed.add(o.key()));
        assertThat(listed).containsExactly("staging/a/1.json", "staging/a/2.json", "staging/b/1.json", "staging/c.json",
                "staging/d");
        var top = s3.listObjectsV2(b -> b.bucket("lake").prefix("staging/").delimiter("/"));
        assertThat(top.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("staging/a/", "staging/b/");
        assertThat(top.contents()).extracting(S3Object::key).containsExactly("staging/c.json", "staging/d");
        assertThat(top.contents().get(0).size()).isEqualTo("staging/c.json".length());
    }

    @Test
    void odd_keys_round_trip() {
        List<String> keys = List.of("a", "a/b", "sp ace/plus+sign", "ünï/cødé", "dots/../..", "x//y", "pct%2F", "end.o", "./.");
        keys.forEach(key -> put(key, "v:" + key));
        for (String key : keys) {
            assertThat(get(key)).isEqualTo("v:" + key);
        }
        List<String> listed = s3.listObjectsV2(b -> b.bucket("lake")).contents().stream().map(S3Object::key).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(Files.exists(directory.getParent().resolve("..").resolve("b.o"))).isFalse();
    }

    @Test
    void deletes_one_or_many() {
        put("d/1", "1");
        put("d/2", "2");
        put("d/3", "3");
        s3.deleteObject(b -> b.bucket("lake").key("d/1"));
        s3.deleteObjects(b -> b.bucket("lake").delete(d -> d.objects(o -> o.key("d/2"), o -> o.key("d/3"))));
        assertThat(s3.listObjectsV2(b -> b.bucket("lake").prefix("d/")).contents()).isEmpty();
        assertThatThrownBy(() -> get("d/1")).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void a_missing_bucket_is_no_such_bucket() {
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket("nope").key("k"))).isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void multipart_uploads_assemble_in_part_order() {
        String id = s3.createMultipartUpload(b -> b.bucket("lake").key("raw/inbox/big.hl7")).uploadId();
        String part2 = s3.uploadPart(b -> b.bucket("lake").key("raw/inbox/big.hl7").uploadId(id).partNumber(2),
                RequestBody.fromString("second")).eTag();
        String part1 = s3.uploadPart(b -> b.bucket("lake").key("raw/inbox/big.hl7").uploadId(id).partNumber(1),
                RequestBody.fromString("first-")).eTag();
        s3.completeMultipartUpload(b -> b.bucket("lake").key("raw/inbox/big.hl7").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(part1).build(),
                CompletedPart.builder().partNumber(2).eTag(part2).build())));
        assertThat(get("raw/inbox/big.hl7")).isEqualTo("first-second");
    }

    @Test
    void a_range_reads_part_of_an_object() {
        put("r", "0123456789");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lake").key("r").range("bytes=2-5")).asUtf8String()).isEqualTo("2345");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lake").key("r").range("bytes=7-")).asUtf8String()).isEqualTo("789");
    }

    @Test
    void objects_survive_a_restart_and_a_killed_write_leaves_nothing_behind() throws Exception {
        put("raw/hl7v2/kept.hl7", "kept");
        s3.close();
        server.close();
        // what a kill -9 in the middle of a put leaves: a temp file that was never renamed into place
        Files.writeString(directory.resolve("lake").resolve("tmp").resolve("interrupted"), "half a mess");
        server = LocalS3Server.start(0, directory);
        s3 = AwsClients.s3(server.endpoint(), "us-east-1");
        assertThat(get("raw/hl7v2/kept.hl7")).isEqualTo("kept");
        assertThat(s3.listObjectsV2(b -> b.bucket("lake")).contents()).extracting(S3Object::key)
                .containsExactly("raw/hl7v2/kept.hl7");
        try (Stream<Path> temp = Files.list(directory.resolve("lake").resolve("tmp"))) {
            assertThat(temp).isEmpty();
        }
    }
}
