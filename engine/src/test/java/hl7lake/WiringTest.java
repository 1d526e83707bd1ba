package hl7lake;

import hl7lake.config.EngineSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine is wired the camel-main way: the configuration classes application.properties lists
 * bind every bean a route refers to ({@code ref: name}, {@code "#name"}), each under one name.
 */
class WiringTest {

    private static final Pattern REF = Pattern.compile("(?:ref:\\s*\"?|\"#)([A-Za-z][A-Za-z0-9]*)");

    @Test
    void every_bean_a_route_refers_to_is_bound_once_by_a_listed_configuration_class() throws Exception {
        String listed = EngineSettings.load(Map.of(), Map.of()).get("camel.main.configuration-classes");
        Set<String> bound = new TreeSet<>();
        for (String name : listed.split(",")) {
            Class<?> type = Class.forName(name.trim());
            assertThat(CamelConfiguration.class).as(name).isAssignableFrom(type);
            for (Method method : type.getDeclaredMethods()) {
                BindToRegistry bind = method.getAnnotation(BindToRegistry.class);
                if (bind != null) {
                    String bean = bind.value().isEmpty() ? method.getName() : bind.value();
                    assertThat(bound.add(bean)).as("%s is bound twice", bean).isTrue();
                }
            }
        }
        Set<String> referred = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Matcher m = REF.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    referred.add(m.group(1));
                }
            }
        }
        assertThat(referred).contains("ingestSteps", "httpDoor", "mllpDoor", "mllpTls");
        assertThat(bound).containsAll(referred);
    }
}
