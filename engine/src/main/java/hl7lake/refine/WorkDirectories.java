package hl7lake.refine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A run's temp directory ({@code hl7lake-refine-*} under the temp directory), held by a lock on its
 * {@code .lock} file for as long as the run lives. The operating system drops the lock when the
 * process dies, even by {@code kill -9}: so each new run deletes the directories whose lock it can
 * take, the leftovers of runs that died, and leaves those of live runs (other days, other engines on
 * the same machine) alone (docs/decisions.md, "The refined zone: rate and a killed run").
 */
final class WorkDirectories {

    static final String PREFIX = "hl7lake-refine-";
    private static final String LOCK = ".lock";
    /** This JVM's live runs: their lock files are never opened by the sweep (closing any channel of a file drops the process's locks on it). */
    private static final Map<Path, FileChannel> HELD = new ConcurrentHashMap<>();

    private WorkDirectories() {
    }

    /** Removes dead runs' directories under {@code parent}, then makes this run's and locks it. */
    static Path create(Path parent) throws IOException {
        Files.createDirectories(parent);
        sweep(parent);
        Path work = Files.createTempDirectory(parent, PREFIX);
        FileChannel lock = FileChannel.open(work.resolve(LOCK), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            lock.lock();
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        HELD.put(work.toAbsolutePath(), lock);
        return work;
    }

    /** Deletes this run's directory (its lock goes with it). A directory left behind is not worth failing a run: the next sweep takes it. */
    static void delete(Path work) {
        FileChannel lock = HELD.remove(work.toAbsolutePath());
        try {
            if (lock != null) {
                lock.close();
            }
        } catch (IOException ignored) {
            // closed anyway
        }
        deleteTree(work);
    }

    private static void sweep(Path parent) {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path run : runs) {
                if (Files.isDirectory(run) && !HELD.containsKey(run.toAbsolutePath()) && dead(run)) {
                    deleteTree(run);
                }
            }
        } catch (IOException ignored) {
            // the temp directory could not be read: nothing swept this time
        }
    }

    /** Whether no live process holds {@code run}'s lock. */
    private static boolean dead(Path run) throws IOException {
        Path lockFile = run.resolve(LOCK);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false; // another process's live run
            }
            lock.release();
            return true;
        } catch (NoSuchFileException notOurs) {
            return false; // being created, or not a run's directory (another program's that starts alike): never touched
        } catch (OverlappingFileLockException ours) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // gone already, or not readable: the next sweep tries again
        }
    }
}
