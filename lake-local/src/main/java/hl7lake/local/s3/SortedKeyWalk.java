package hl7lake.local.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The keys of a bucket under a prefix, strictly after a given key, lazily and in S3's order (UTF-8
 * binary), read from the directory tree of {@link KeyPaths}: each directory's entries are ordered by
 * what they add to the key (a file its last part, a directory its part and "/"), and a subtree whose
 * keys all come before {@code after} or outside {@code prefix} is not read at all. A page of a
 * listing thus reads about as many entries as it returns, however large the bucket is (a full walk
 * and sort per page made listing 100,000 keys take 68 s).
 */
final class SortedKeyWalk implements Iterator<String> {

    /** {@code utf8}: the key's bytes, computed once (the sort and every comparison with {@code after} use them). */
    record Entry(String key, byte[] utf8, Path path, boolean directory) {
        Entry(String key, Path path, boolean directory) {
            this(key, key.getBytes(StandardCharsets.UTF_8), path, directory);
        }
    }

    private final String prefix;
    private final String after;
    private final byte[] afterUtf8;
    private final boolean skipUnderAfter;
    private final DirectoryListings listings;
    private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
    private String next;

    /**
     * {@code skipUnderAfter}: also leave out every key that starts with {@code after} (a listing with
     * a delimiter has already answered them as one common prefix).
     */
    SortedKeyWalk(Path objects, String prefix, String after, boolean skipUnderAfter, DirectoryListings listings) {
        this.listings = listings;
        this.prefix = prefix;
        this.after = after;
        this.afterUtf8 = after.getBytes(StandardCharsets.UTF_8);
        this.skipUnderAfter = skipUnderAfter;
        stack.push(listings.entries(objects, "").iterator());
    }

    @Override
    public boolean hasNext() {
        while (next == null && !stack.isEmpty()) {
            Iterator<Entry> level = stack.peek();
            if (!level.hasNext()) {
                stack.pop();
                continue;
            }
            Entry entry = level.next();
            if (entry.directory()) {
                if (wanted(entry, true)) {
                    stack.push(listings.entries(entry.path(), entry.key()).iterator());
                }
            } else if (wanted(entry, false)) {
                next = entry.key();
            }
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String key = next;
        next = null;
        return key;
    }

    /** A key (or, for a directory, the start every key under it shares) that may be listed. */
    private boolean wanted(Entry entry, boolean directory) {
        String key = entry.key();
        boolean underPrefix = key.startsWith(prefix) || (directory && prefix.startsWith(key));
        if (!underPrefix) {
            return false;
        }
        if (skipUnderAfter && !after.isEmpty() && key.startsWith(after)) {
            return false;
        }
        int order = Arrays.compareUnsigned(entry.utf8(), afterUtf8);
        if (directory) {
            return order >= 0 || after.startsWith(key); // else every key under it is before `after`
        }
        return after.isEmpty() || order > 0;
    }

    /** A directory's entries, sorted (unmodifiable: {@link DirectoryListings} shares them between listings). */
    static List<Entry> read(Path directory, String keyPrefix) {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                // by name, without a stat per entry: an object file ends in the suffix, which no directory's name does
                // (KeyPaths encodes it), and a name starting with a dot is a hashed directory's part file
                if (!name.endsWith(KeyPaths.SUFFIX) && !name.startsWith(".")) {
                    String part = KeyPaths.hashed(name) ? KeyPaths.hashedPart(child) : KeyPaths.decode(name);
                    if (part != null) { // null: a long part's directory still being created
                        entries.add(new Entry(keyPrefix + part + "/", child, true));
                    }
                } else if (name.endsWith(KeyPaths.SUFFIX)) {
                    String encoded = name.substring(0, name.length() - KeyPaths.SUFFIX.length());
                    String key = KeyPaths.hashed(encoded) ? ObjectStore.keyOf(child) : keyPrefix + KeyPaths.decode(encoded);
                    if (key != null) { // null: deleted since the directory was read
                        entries.add(new Entry(key, child, false));
                    }
                }
            }
        } catch (NoSuchFileException | NotDirectoryException deleted) {
            return List.of(); // removed while listing (or not ours): nothing under it is listed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort((a, b) -> Arrays.compareUnsigned(a.utf8(), b.utf8()));
        return java.util.Collections.unmodifiableList(entries);
    }
}
