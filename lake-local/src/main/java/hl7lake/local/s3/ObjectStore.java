package hl7lake.local.s3;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.regex.Pattern;
import java.util.Collections;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The files behind the local S3 server: one directory per bucket, one file per object holding a
 * small JSON header (ETag, type, metadata, tags) and then the bytes. Every write goes to a temp file
 * that is renamed into place, so an object is always whole, old or new: a {@code kill -9} can lose
 * a write in progress, never corrupt what was stored. Temp files left by a kill are removed at start.
 */
final class ObjectStore {

    private static final int MAGIC = 0x53334F31; // "S3O1"
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> HEADER = new TypeReference<>() { };

    /** S3's bucket naming rules (general purpose buckets). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    /** S3's longest key, in UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 1024;

    private final Path root;
    /** Writes and conditional deletes of one object file are serialised (a check and its change are atomic). */
    private final Object[] locks = new Object[64];
    /** Large directories' sorted entries between the pages of a listing (docs/decisions.md, "The local S3 server"). */
    private final DirectoryListings listings = new DirectoryListings();

    ObjectStore(Path root) throws IOException {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        this.root = Files.createDirectories(root);
        try (DirectoryStream<Path> buckets = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path bucket : buckets) {
                clean(bucket.resolve("tmp"));
            }
        }
    }

    /** Whether S3 would take {@code bucket} as a bucket name (so it is also a safe directory name). */
    static boolean validBucketName(String bucket) {
        return BUCKET.matcher(bucket).matches() && !bucket.contains("..") && !IP.matcher(bucket).matches()
                && !bucket.startsWith("xn--") && !bucket.startsWith("sthree-") && !bucket.startsWith("amzn-s3-demo-")
                && !bucket.endsWith("-s3alias") && !bucket.endsWith("--ol-s3") && !bucket.endsWith(".mrap")
                && !bucket.endsWith("--x-s3") && !bucket.endsWith("--table-s3");
    }

    static boolean validKey(String key) {
        return !key.isEmpty() && key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES;
    }

    boolean bucketExists(String bucket) {
        return Files.isDirectory(objects(bucket));
    }

    void createBucket(String bucket) throws IOException {
        if (!validBucketName(bucket)) {
            throw new IllegalArgumentException("not a valid S3 bucket name");
        }
        Files.createDirectories(objects(bucket));
        Files.createDirectories(root.resolve(bucket).resolve("tmp"));
        Files.createDirectories(root.resolve(bucket).resolve("uploads"));
    }

    List<String> buckets() throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> Files.isDirectory(dir.resolve("objects"))).map(d -> d.getFileName().toString())
                    .sorted().toList();
        }
    }

    /**
     * Stores an object from {@code body}. With {@code ifNoneMatch} an existing object is kept and
     * false returned (S3's {@code If-None-Match: *}).
     */
    StoredObject put(String bucket, String key, InputStream body, String contentType, Map<String, String> metadata,
                     Map<String, String> tags, boolean ifNoneMatch) throws IOException {
        Path temp = temp(bucket);
        try {
            MessageDigest md5 = md5();
            long size;
            StoredObject object;
            try (OutputStream file = Files.newOutputStream(temp)) {
                size = body.transferTo(new DigestOutputStream(file, md5));
                object = new StoredObject(key, size, HexFormat.of().formatHex(md5.digest()), contentType,
                        Instant.now(), metadata, tags);
                writeTrailer(file, object);
            }
            commit(temp, bucket, key, ifNoneMatch);
            return object;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    Optional<StoredObject> head(String bucket, String key) throws IOException {
        try (FileChannel channel = FileChannel.open(KeyPaths.toPath(objects(bucket), key), StandardOpenOption.READ)) {
            return Optional.of(readTrailer(key, channel));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The object and a stream of its bytes from {@code from} (the caller closes it). */
    Optional<Opened> open(String bucket, String key, long from) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(KeyPaths.toPath(objects(bucket), key), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        StoredObject object = readTrailer(key, channel);
        channel.position(Math.min(from, object.size()));
        return Optional.of(new Opened(object, new Bounded(Channels.newInputStream(channel),
                object.size() - channel.position())));
    }

    boolean delete(String bucket, String key) throws IOException {
        Path file = KeyPaths.toPath(objects(bucket), key);
        try {
            synchronized (lock(file)) {
                // empty directories left behind are harmless, and removing them would race with concurrent puts
                return Files.deleteIfExists(file);
            }
        } finally {
            listings.changed();
        }
    }

    /** What a conditional delete found. */
    enum Deleted { DELETED, ABSENT, NOT_MATCHED }

    /**
     * S3's conditional delete ({@code If-Match}): the object is deleted only while its ETag is
     * {@code etag} ("*": any); the check and the delete are one step against concurrent writes.
     */
    Deleted deleteIfMatch(String bucket, String key, String etag) throws IOException {
        Path file = KeyPaths.toPath(objects(bucket), key);
        synchronized (lock(file)) {
            Optional<StoredObject> object = head(bucket, key);
            if (object.isEmpty()) {
                return Deleted.ABSENT;
            }
            if (!matches(etag, object.get().etag())) {
                return Deleted.NOT_MATCHED;
            }
            try {
                Files.deleteIfExists(file);
            } finally {
                listings.changed();
            }
            return Deleted.DELETED;
        }
    }

    /** An {@code If-Match} header (one ETag, a list, or "*", quoted or not) against an object's ETag. */
    static boolean matches(String header, String etag) {
        for (String one : header.split(",")) {
            String value = one.trim();
            if (value.startsWith("W/")) {
                value = value.substring(2);
            }
            if (value.equals("*") || value.replace("\"", "").equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites the object with new tags (its bytes are copied: an object file is never changed in place). */
    boolean putTags(String bucket, String key, Map<String, String> tags) throws IOException {
        Optional<Opened> opened = open(bucket, key, 0);
        if (opened.isEmpty()) {
            return false;
        }
        Path temp = temp(bucket);
        try (Opened source = opened.get(); OutputStream file = Files.newOutputStream(temp)) {
            StoredObject old = source.object();
            source.body().transferTo(file);
            writeTrailer(file, new StoredObject(key, old.size(), old.etag(), old.contentType(), old.lastModified(),
                    old.metadata(), tags));
        }
        try {
            commit(temp, bucket, key, false);
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The keys under {@code prefix} after {@code after}, lazily, in S3's order; see {@link SortedKeyWalk}. */
    Iterator<String> keysAfter(String bucket, String prefix, String after, boolean skipUnderAfter) {
        Path objects = objects(bucket);
        if (!Files.isDirectory(objects)) {
            return Collections.emptyIterator();
        }
        return new SortedKeyWalk(objects, prefix, after, skipUnderAfter, listings);
    }

    Path uploads(String bucket) {
        return root.resolve(bucket).resolve("uploads");
    }

    Path temp(String bucket) {
        return root.resolve(bucket).resolve("tmp").resolve(UUID.randomUUID().toString());
    }

    /** Appends the object's description after its bytes: JSON, its length, and a magic number. */
    void writeTrailer(OutputStream file, StoredObject object) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("key", object.key()); // listings read it back when the file name is a hash (KeyPaths)
        header.put("size", object.size());
        header.put("etag", object.etag());
        header.put("content_type", object.contentType());
        header.put("last_modified", object.lastModified().toString());
        header.put("metadata", object.metadata());
        header.put("tags", object.tags());
        byte[] json = JSON.writeValueAsBytes(header);
        DataOutputStream out = new DataOutputStream(file);
        out.write(json);
        out.writeInt(json.length);
        out.writeInt(MAGIC);
        out.flush();
    }

    /** Moves a finished temp file into place atomically; with {@code ifNoneMatch} only if nothing is there. */
    void commit(Path temp, String bucket, String key, boolean ifNoneMatch) throws IOException {
        Path target = KeyPaths.toPath(objects(bucket), key);
        try {
            KeyPaths.createParents(objects(bucket), key);
            synchronized (lock(target)) {
                if (ifNoneMatch) {
                    try {
                        Files.createLink(target, temp); // link(2) fails atomically when the target exists
                    } catch (FileAlreadyExistsException exists) {
                        throw new PreconditionFailed();
                    }
                    Files.delete(temp);
                } else {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            listings.changed(); // after the change: a listing read before it is read again
        }
    }

    private Object lock(Path file) {
        return locks[Math.floorMod(file.hashCode(), locks.length)];
    }

    /** The key an object file holds in its trailer, or null when it is gone. */
    static String keyOf(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readTrailer(null, channel).key();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private Path objects(String bucket) {
        return root.resolve(bucket).resolve("objects");
    }

    @SuppressWarnings("unchecked")
    private static StoredObject readTrailer(String key, FileChannel channel) throws IOException {
        long length = channel.size();
        ByteBuffer tail = ByteBuffer.allocate(8);
        channel.read(tail, length - 8);
        tail.flip();
        int jsonLength = tail.getInt();
        if (length < 8 || tail.getInt() != MAGIC) {
            throw new IOException("not an object file");
        }
        ByteBuffer json = ByteBuffer.allocate(jsonLength);
        channel.read(json, length - 8 - jsonLength);
        Map<String, Object> header = JSON.readValue(json.array(), HEADER);
        return new StoredObject(key != null ? key : (String) header.get("key"), ((Number) header.get("size")).longValue(), (String) header.get("etag"),
                (String) header.get("content_type"), Instant.parse((String) header.get("last_modified")),
                (Map<String, String>) header.get("metadata"), (Map<String, String>) header.get("tags"));
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void clean(Path tmp) throws IOException {
        if (Files.isDirectory(tmp)) {
            try (Stream<Path> leftovers = Files.list(tmp)) {
                for (Path file : leftovers.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** An object being read. */
    record Opened(StoredObject object, InputStream body) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** S3's 412: a conditional write found the object there. */
    static final class PreconditionFailed extends IOException {
        PreconditionFailed() {
            super("the object exists");
        }
    }

    /** A stream that ends after {@code length} bytes: an object's bytes without its trailer, or a range. */
    static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
