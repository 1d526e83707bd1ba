package hl7lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the tests find messages: our samples/, and the AWS blog's seed samples when they are beside the project. */
public final class TestFiles {

    public static final Path SAMPLES = Path.of("samples");
    public static final Path INVALID = SAMPLES.resolve("invalid");
    /** The AWS blog's seed messages; -Dhl7lake.seed=DIR when they are elsewhere (a git worktree). */
    public static final Path SEED = Path.of(System.getProperty("hl7lake.seed", "../shared/seed-samples"));

    private TestFiles() {
    }

    /** Our accepted samples (everything in samples/ but invalid/). */
    public static List<Path> acceptedSamples() {
        return list(SAMPLES);
    }

    public static List<Path> invalidSamples() {
        return list(INVALID);
    }

    public static boolean seedPresent() {
        return Files.isDirectory(SEED);
    }

    /** The seed's message files (README.md is not one). */
    public static List<Path> seedFiles() {
        return list(SEED).stream().filter(p -> !p.getFileName().toString().equals("README.md")).toList();
    }

    public static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
