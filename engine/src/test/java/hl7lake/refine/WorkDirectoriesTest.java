package hl7lake.refine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run's temp directory under a real temp folder: a dead run's (its lock file free) is deleted by
 * the next run; a live run's of this JVM, one being created (no lock file yet) and another
 * program's that merely starts alike are left alone, however old.
 */
class WorkDirectoriesTest {

    @TempDir
    Path parent;

    @Test
    void the_next_run_deletes_dead_runs_directories_and_nothing_else() throws Exception {
        Path dead = Files.createDirectory(parent.resolve(WorkDirectories.PREFIX + "1"));
        Files.writeString(dead.resolve(".lock"), "");
        Files.writeString(dead.resolve("messages-w1.json"), "{}\n");
        Path other = Files.createDirectory(parent.resolve(WorkDirectories.PREFIX + "bench2"));
        Files.writeString(other.resolve("feed.hl7"), "x");
        Files.setLastModifiedTime(other, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Path live = WorkDirectories.create(parent);
        try {
            assertThat(dead).doesNotExist();
            assertThat(other.resolve("feed.hl7")).exists();
            assertThat(live.resolve(".lock")).exists();

            Path second = WorkDirectories.create(parent); // a second run in this JVM: the first is live
            assertThat(live).exists();
            WorkDirectories.delete(second);
            assertThat(second).doesNotExist();
        } finally {
            WorkDirectories.delete(live);
        }
        assertThat(live).doesNotExist();
    }
}
