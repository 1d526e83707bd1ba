package hl7lake.local.s3;

import hl7lake.config.AwsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
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
        s3.putObject(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/day=2026-11-23/m1.json")
                        .contentType("application/json").metadata(Map.of("data_src", "raw/hl7v2/2026/11/23/m1.hl7"))
                        .tagging("data_src=raw/hl7v2/2026/11/23/m1.hl7").serverSideEncryption(ServerSideEncryption.AES256),
                RequestBody.fromBytes(bytes));
        var object = s3.getObjectAsBytes(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/day=2026-11-23/m1.json"));
        assertThat(object.asByteArray()).isEqualTo(bytes);
        assertThat(object.response().contentType()).isEqualTo("application/json");
        assertThat(object.response().metadata()).containsEntry("data_src", "raw/hl7v2/2026/11/23/m1.hl7");
        assertThat(s3.getObjectTagging(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/day=2026-11-23/m1.json")).tagSet())
                .containsExactly(Tag.builder().key("data_src").value("raw/hl7v2/2026/11/23/m1.hl7").build());
        assertThat(s3.headObject(b -> b.bucket("lake").key("staging/hl7v2/ADT_A01/day=2026-11-23/m1.json"))
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
    void a_large_directory_listed_page_by_page_shows_what_was_put_and_deleted_between_its_pages() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // one directory larger than a page: its sorted entries are kept between pages
            String key = String.format("staging/x/day=1/k-%05d", i);
            put(key, "x");
            expected.add(key);
        }
        ListObjectsV2Response first = s3.listObjectsV2(b -> b.bucket("lake").prefix("staging/x/day=1/").maxKeys(1_000));
        List<String> listed = new ArrayList<>(first.contents().stream().map(S3Object::key).toList());
        ListObjectsV2Response second = s3.listObjectsV2(b -> b.bucket("lake").prefix("staging/x/day=1/").maxKeys(1_000)
                .continuationToken(first.nextContinuationToken()));
        listed.addAll(second.contents().stream().map(S3Object::key).toList());
        // between the pages: a key that sorts into the third page arrives, another of the third page goes
        put("staging/x/day=1/k-02100a", "new");
        s3.deleteObject(b -> b.bucket("lake").key("staging/x/day=1/k-02200"));
        ListObjectsV2Response third = s3.listObjectsV2(b -> b.bucket("lake").prefix("staging/x/day=1/").maxKeys(1_000)
                .continuationToken(second.nextContinuationToken()));
        listed.addAll(third.contents().stream().map(S3Object::key).toList());
        assertThat(third.isTruncated()).isFalse();
        expected.add(expected.indexOf("staging/x/day=1/k-02100") + 1, "staging/x/day=1/k-02100a");
        expected.remove("staging/x/day=1/k-02200");
        assertThat(listed).containsExactlyElementsOf(expected);
        // and a listing after the change, whole, at once
        assertThat(s3.listObjectsV2Paginator(b -> b.bucket("lake").prefix("staging/x/")).contents().stream().map(S3Object::key)
                .toList()).containsExactlyElementsOf(expected);
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> s3Order(java.util.Collection<String> keys) {
        return keys.stream().sorted((x, y) -> java.util.Arrays.compareUnsigned(utf8(x), utf8(y))).toList();
    }

    private List<String> listAll(String prefix, int pageSize) {
        List<String> listed = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket("lake").prefix(prefix).maxKeys(pageSize)).contents()
                .forEach(o -> listed.add(o.key()));
        return listed;
    }

    @Test
    void bucket_names_are_checked_as_s3_does_and_none_leaves_the_data_directory() throws Exception {
        List<Path> before;
        try (Stream<Path> around = Files.list(directory.getParent())) {
            before = around.sorted().toList();
        }
        var http = java.net.http.HttpClient.newHttpClient();
        for (String bad : List.of("..", "a..b", "UPPER", "ab", "-lake", "lake-", "192.168.1.1", "xn--lake", "a_b",
                "x".repeat(64), "lake--x-s3")) {
            // the SDK checks a new bucket's name itself: CreateBucket goes over plain HTTP
            var created = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.endpoint() + "/"
                    + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8))).PUT(java.net.http.HttpRequest.BodyPublishers
                    .noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(bad).isEqualTo(400);
            assertThat(created.body()).as(bad).contains("<Code>InvalidBucketName</Code>");
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bad).key("k"), RequestBody.fromString("x")))
                    .as(bad).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        }
        // over plain HTTP, where no client tidies the path: /../ and its encoded forms
        for (String path : List.of("/%2E%2E", "/%2e%2e/k", "/..%2F..%2Fescape/k")) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.endpoint() + path))
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.body()).as(path).contains("InvalidBucketName");
        }
        // "../../escape" in a good bucket is a legal key, kept inside the store
        var dots = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.endpoint() + "/lake%2F..%2F..%2Fescape"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(dots.statusCode()).isEqualTo(200);
        assertThat(get("../../escape")).isEqualTo("x");
        try (Stream<Path> around = Files.list(directory.getParent())) {
            assertThat(around.sorted().toList()).isEqualTo(before);
        }
        try (Stream<Path> inside = Files.list(directory)) {
            assertThat(inside.map(p -> p.getFileName().toString())).containsExactly("lake");
        }
        for (String good : List.of("abc", "my.lake-1", "a".repeat(63), "1lake")) {
            s3.createBucket(b -> b.bucket(good));
            s3.putObject(b -> b.bucket(good).key("k"), RequestBody.fromString(good));
            assertThat(s3.getObjectAsBytes(b -> b.bucket(good).key("k")).asUtf8String()).isEqualTo(good);
        }
    }

    @Test
    void a_key_of_1024_bytes_is_stored_and_one_of_1025_is_key_too_long() {
        String longest = "k/" + "\u00e9".repeat(511); // 2 + 1022 bytes
        assertThat(utf8(longest)).hasSize(1024);
        put(longest, "longest");
        assertThat(get(longest)).isEqualTo("longest");
        String over = longest + "x";
        assertThatThrownBy(() -> put(over, "x")).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KeyTooLongError");
        });
        assertThatThrownBy(() -> s3.createMultipartUpload(b -> b.bucket("lake").key(over)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThat(listAll("", 1000)).containsExactly(longest);
    }

    @Test
    void key_parts_longer_than_a_file_name_are_stored_and_listed_by_their_real_key_in_s3_order() {
        String x300 = "x".repeat(300);
        String e400 = "\u00e9".repeat(400); // 800 bytes, 2,400 characters percent-encoded
        List<String> keys = List.of(x300, x300 + "z", "x".repeat(299) + "y", x300 + "/a", x300 + "/b/" + x300,
                "a/" + e400, "a/" + e400 + "/c", "a/b", "w", "x".repeat(1000), "x".repeat(200) + "/" + "y".repeat(255));
        for (String key : keys) {
            put(key, "v:" + key.length());
        }
        for (String key : keys) {
            assertThat(get(key)).isEqualTo("v:" + key.length());
            assertThat(s3.headObject(b -> b.bucket("lake").key(key)).contentLength()).isEqualTo(("v:" + key.length()).length());
        }
        List<String> expected = s3Order(keys);
        for (int page = 1; page <= 3; page++) {
            assertThat(listAll("", page)).as("pages of " + page).containsExactlyElementsOf(expected);
        }
        var top = s3.listObjectsV2(b -> b.bucket("lake").delimiter("/"));
        assertThat(top.commonPrefixes()).extracting(p -> p.prefix())
                .containsExactly("a/", "x".repeat(200) + "/", x300 + "/");
        assertThat(listAll(x300 + "/", 1)).containsExactly(x300 + "/a", x300 + "/b/" + x300);
        s3.copyObject(b -> b.sourceBucket("lake").sourceKey("a/" + e400).destinationBucket("lake").destinationKey(x300 + "/copy"));
        assertThat(get(x300 + "/copy")).isEqualTo(get("a/" + e400));
        s3.deleteObject(b -> b.bucket("lake").key(x300));
        assertThatThrownBy(() -> get(x300)).isInstanceOf(NoSuchKeyException.class);
        assertThat(listAll("x", 1000)).doesNotContain(x300).contains(x300 + "z", x300 + "/copy");
    }

    @Test
    void any_legal_key_round_trips_and_lists_in_s3_order() {
        // keys of 1 to 6 parts, each of 0 to 300 characters of the basic multilingual plane, cut to 1,024 bytes
        var parts = org.quicktheories.generators.SourceDSL.strings().betweenCodePoints(0x20, 0xD7FF).ofLengthBetween(0, 300);
        var keys = org.quicktheories.generators.SourceDSL.lists().of(parts).ofSizeBetween(1, 6)
                .map(list -> {
                    String key = String.join("/", list);
                    while (utf8(key).length > 1024 - 40) { // room for the test's prefix
                        key = key.substring(0, key.length() - 1);
                    }
                    return key;
                })
                .assuming(key -> !key.isEmpty());
        org.quicktheories.QuickTheory.qt().withExamples(40).withFixedSeed(20261127L)
                .forAll(org.quicktheories.generators.SourceDSL.lists().of(keys).ofSizeBetween(1, 5))
                .checkAssert(batch -> {
                    java.util.Set<String> distinct = new java.util.TreeSet<>(batch);
                    String prefix = "p" + java.util.UUID.randomUUID() + "/";
                    for (String key : distinct) {
                        put(prefix + key, key);
                    }
                    for (String key : distinct) {
                        assertThat(get(prefix + key)).isEqualTo(key);
                    }
                    assertThat(listAll(prefix, 2)).containsExactlyElementsOf(
                            s3Order(distinct.stream().map(k -> prefix + k).toList()));
                });
    }

    @Test
    void conditional_reads_copies_and_deletes_hold_to_the_etag() {
        put("c/x.hl7", "first");
        String first = s3.headObject(b -> b.bucket("lake").key("c/x.hl7")).eTag();
        put("c/x.hl7", "second");
        String second = s3.headObject(b -> b.bucket("lake").key("c/x.hl7")).eTag();
        assertThat(second).isNotEqualTo(first);

        java.util.function.Consumer<Runnable> preconditionFailed = call -> assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        preconditionFailed.accept(() -> s3.headObject(b -> b.bucket("lake").key("c/x.hl7").ifMatch(first)));
        preconditionFailed.accept(() -> s3.getObjectAsBytes(b -> b.bucket("lake").key("c/x.hl7").ifMatch(first)));
        preconditionFailed.accept(() -> s3.copyObject(b -> b.sourceBucket("lake").sourceKey("c/x.hl7").copySourceIfMatch(first)
                .destinationBucket("lake").destinationKey("c/copy")));
        preconditionFailed.accept(() -> s3.deleteObject(b -> b.bucket("lake").key("c/x.hl7").ifMatch(first)));
        assertThat(get("c/x.hl7")).isEqualTo("second");
        assertThatThrownBy(() -> get("c/copy")).isInstanceOf(NoSuchKeyException.class);

        assertThat(s3.headObject(b -> b.bucket("lake").key("c/x.hl7").ifMatch(second)).eTag()).isEqualTo(second);
        s3.copyObject(b -> b.sourceBucket("lake").sourceKey("c/x.hl7").copySourceIfMatch(second)
                .destinationBucket("lake").destinationKey("c/copy"));
        assertThat(get("c/copy")).isEqualTo("second");
        s3.deleteObject(b -> b.bucket("lake").key("c/x.hl7").ifMatch(second));
        assertThatThrownBy(() -> get("c/x.hl7")).isInstanceOf(NoSuchKeyException.class);
        // If-Match on a key that is gone: 404, as S3 answers
        assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket("lake").key("c/x.hl7").ifMatch(second)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }
}
