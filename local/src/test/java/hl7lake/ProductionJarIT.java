package hl7lake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production jar (engine/target/hl7lake-engine.jar, the one the container image runs) holds the
 * engine and nothing of local mode: not our S3 server, not DynamoDB Local with its tree (SDK v1,
 * sqlite4java and its natives, Jetty), not the local token issuer, not the benchmarks. The full jar
 * (target/hl7lake.jar, built after it) holds them all, so the same check finds what it looks for.
 * Here, after both are packaged (docs/decisions.md, "Modules").
 */
class ProductionJarIT {

    static final Path PRODUCTION = Path.of("engine", "target", "hl7lake-engine.jar");
    static final Path FULL = Path.of("target", "hl7lake.jar");

    /** Entry name prefixes (or, ending in '*', name parts) that only local mode and the benchmarks use. */
    static final List<String> LOCAL_ONLY = List.of(
            "hl7lake/local/",                              // the local lake: our S3 server, DynamoDB Local's wrapper
            "hl7lake/http/LocalIssuer",                    // the local token issuer
            "META-INF/services/hl7lake.spi.LocalMode",     // what would let the engine find them
            "hl7lake/cli/TokenCommand",
            "hl7lake/cli/BenchCommand",
            "hl7lake/cli/FreezingProxy",
            "hl7lake/LocalApplication",
            "com/amazonaws/services/dynamodbv2/local/",    // DynamoDB Local
            "com/amazonaws/",                              // the AWS SDK v1 it runs on
            "com/almworks/sqlite4java/",                   // sqlite4java
            "sqlite4java*",                                // its natives, wherever they lie
            "org/eclipse/jetty/");                         // the Jetty it is served by

    @Test
    void the_production_jar_holds_the_engine_and_nothing_of_local_mode() throws IOException {
        assertThat(PRODUCTION).as("built by the engine module before this one").isRegularFile();
        try (JarFile jar = new JarFile(PRODUCTION.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).as("the engine, its routes and its libraries are there").contains(
                    "hl7lake/Application.class", "hl7lake/Engine.class", "hl7lake/spi/LocalMode.class",
                    "routes/ingest.yaml", "application.properties", "org/apache/camel/main/Main.class",
                    "software/amazon/awssdk/services/dynamodb/DynamoDbClient.class");
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("hl7lake.Application");
            for (String local : LOCAL_ONLY) {
                assertThat(names).as(local).noneMatch(name -> matches(name, local));
            }
            assertThat(names).as("the benchmarks").noneMatch(name -> name.matches("hl7lake/cli/\\w*Bench\\W.*"));
        }
    }

    @Test
    void the_full_jar_holds_what_the_production_jar_must_not() throws IOException {
        try (JarFile jar = new JarFile(FULL.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            for (String local : LOCAL_ONLY) {
                assertThat(names).as(local).anyMatch(name -> matches(name, local));
            }
            assertThat(names).as("the benchmarks").anyMatch(name -> name.matches("hl7lake/cli/\\w*Bench\\W.*"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("hl7lake.LocalApplication");
        }
    }

    @TempDir
    Path work;

    @Test
    void the_production_jar_refuses_local_mode_plainly_and_starts_nothing() throws Exception {
        Process engine = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", PRODUCTION.toAbsolutePath().toString(), "local")
                .directory(work.toFile()).redirectErrorStream(true).start();
        assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(engine.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(engine.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("hl7lake: local mode needs the embedded lake", "java -jar target/hl7lake.jar local");
    }

    private static boolean matches(String name, String pattern) {
        return pattern.endsWith("*") ? name.contains(pattern.substring(0, pattern.length() - 1)) : name.startsWith(pattern);
    }
}
