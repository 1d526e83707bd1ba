package hl7lake;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mvn package} leaves a class-data-sharing archive beside each jar, made for that jar and
 * this JVM: with {@code -Xshare:on} (fail rather than start without it) each jar starts on its
 * archive, as README's run command and the image's ENTRYPOINT start them (docs/decisions.md, "Start-up").
 */
class ClassArchiveIT {

    @Test
    void each_jar_starts_on_the_archive_the_build_made_for_it() throws Exception {
        for (Path jar : new Path[] {ProductionJarIT.FULL, ProductionJarIT.PRODUCTION}) {
            Path archive = jar.resolveSibling(jar.getFileName().toString().replace(".jar", ".jsa"));
            assertThat(archive).as("written by class-archive at the end of package").isRegularFile();
            Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info", "-jar", jar.toString(), "help")
                    .redirectErrorStream(true).start();
            String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(java.exitValue()).as(output).isZero();
            assertThat(output).as("the JVM mapped the archive").contains("Opened archive " + archive)
                    .contains("usage: java -jar");
        }
    }
}
