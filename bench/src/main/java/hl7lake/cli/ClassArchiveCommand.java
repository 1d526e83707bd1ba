package hl7lake.cli;

import hl7lake.Application;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code class-archive [--jar PATH] [--engine-jar PATH] [--engine-only]}: writes the class-data-sharing
 * archives that start the jars in about half the time (docs/decisions.md, "Start-up"): each jar is
 * started once as it is run — the full jar in {@code local} mode on a fresh data directory, the
 * engine jar in AWS mode against a local lake beside it — with {@code -XX:ArchiveClassesAtExit},
 * until {@code /observe/health} answers, then stopped with SIGTERM; the JVM writes the classes it
 * loaded to {@code <jar>.jsa} beside the jar as it exits. {@code mvn package} runs it; the container
 * image runs it on its own JVM (an archive only serves the JVM and the jar it was made with: with
 * another, the JVM says so in one line and starts without it).
 */
public final class ClassArchiveCommand {

    private ClassArchiveCommand() {
    }

    /** The archive of a jar: beside it, {@code hl7lake.jar} → {@code hl7lake.jsa}. */
    static Path archiveOf(Path jar) {
        String name = jar.getFileName().toString();
        String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
        return jar.toAbsolutePath().resolveSibling(base + ".jsa");
    }

    public static int run(String[] args, PrintStream out) throws Exception {
        Options options;
        try {
            options = Options.parse(args, List.of("--jar", "--engine-jar"), List.of("--engine-only"));
        } catch (Options.Usage e) {
            out.println("class-archive: " + e.getMessage());
            out.println("usage: class-archive [--jar PATH] [--engine-jar PATH] [--engine-only]");
            return 2;
        }
        Path jar = options.has("--jar") ? Path.of(options.text("--jar", null))
                : Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path engineJar = options.has("--engine-jar") ? Path.of(options.text("--engine-jar", null)) : null;
        boolean engineOnly = options.has("--engine-only");
        jar = jar.toAbsolutePath().normalize();
        engineJar = engineJar == null ? null : engineJar.toAbsolutePath().normalize();
        if (engineOnly && engineJar == null) {
            out.println("class-archive: --engine-only needs --engine-jar");
            return 2;
        }
        if (!engineOnly) {
            Path archive = archiveOf(jar);
            Files.deleteIfExists(archive);
            Path dir = Files.createTempDirectory("hl7lake-class-archive-");
            try {
                StartupBench.Child child = StartupBench.Child.local(jar, training(archive), dir);
                double ready = child.awaitReady();
                child.stop();
                report(out, jar, archive, ready);
            } finally {
                StartupBench.delete(dir);
            }
        }
        if (engineJar != null) {
            Path archive = archiveOf(engineJar);
            Files.deleteIfExists(archive);
            Path dir = Files.createTempDirectory("hl7lake-class-archive-");
            try {
                StartupBench.Child lake = StartupBench.Child.local(jar, List.of(), dir);
                lake.awaitReady();
                try {
                    StartupBench.Child engine = StartupBench.Child.aws(engineJar, training(archive), dir, lake);
                    double ready = engine.awaitReady();
                    engine.stop();
                    report(out, engineJar, archive, ready);
                } finally {
                    lake.stop();
                }
            } finally {
                StartupBench.delete(dir);
            }
        }
        return 0;
    }

    /** The JVM options of a training start; the JVM's remarks on classes it cannot archive stay out of the log. */
    private static List<String> training(Path archive) {
        return List.of("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    private static void report(PrintStream out, Path jar, Path archive, double ready) throws Exception {
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the JVM wrote no archive for " + jar.getFileName()
                    + "; see engine.log of the training start");
        }
        out.printf(Locale.ROOT, "class-archive: %s (%,d bytes) for %s, from a start ready in %.2f s%n",
                archive, Files.size(archive), jar.getFileName(), ready);
    }
}
