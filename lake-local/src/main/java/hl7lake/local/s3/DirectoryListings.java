package hl7lake.local.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sorted entries of the store's large directories, kept between the pages of a listing. S3
 * lists 1,000 keys a page, and a directory cannot be read from the middle: without this, every page
 * of a day's partition read and sorted the whole directory again (100,000 keys in one directory: 100
 * pages of 100,000 entries each). An entry is used while nothing has changed in the store since it
 * was read ({@link #changed()}, called after every write and delete of this process's store: the
 * lake's directory has one writer, the engine or the command that opened it) and the directory's
 * modification time is the one it had then. Only directories of at least {@link #MIN_ENTRIES} and at
 * most {@link #MAX_ENTRIES} entries, the last {@link #DIRECTORIES} read.
 */
final class DirectoryListings {

    static final int MIN_ENTRIES = 1_000;
    static final int MAX_ENTRIES = 500_000;
    static final int DIRECTORIES = 8;

    private record Cached(long generation, FileTime modified, List<SortedKeyWalk.Entry> entries) {
    }

    private final AtomicLong changes = new AtomicLong();
    private final Map<Path, Cached> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Cached> eldest) {
            return size() > DIRECTORIES;
        }
    };

    /** Something in the store changed: every entry read before is read again. */
    void changed() {
        changes.incrementAndGet();
    }

    /** The directory's entries in S3's order, keys under {@code keyPrefix}. */
    List<SortedKeyWalk.Entry> entries(Path directory, String keyPrefix) {
        long generation = changes.get(); // before the directory is read: a change after it makes this entry stale
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(directory);
        } catch (IOException gone) {
            return SortedKeyWalk.read(directory, keyPrefix);
        }
        synchronized (cache) {
            Cached cached = cache.get(directory);
            if (cached != null && cached.generation() == generation && cached.modified().equals(modified)) {
                return cached.entries();
            }
        }
        List<SortedKeyWalk.Entry> entries = SortedKeyWalk.read(directory, keyPrefix);
        if (entries.size() >= MIN_ENTRIES && entries.size() <= MAX_ENTRIES) {
            synchronized (cache) {
                cache.put(directory, new Cached(generation, modified, entries));
            }
        }
        return entries;
    }
}
