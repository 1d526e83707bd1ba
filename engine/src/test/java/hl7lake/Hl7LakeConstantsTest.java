package hl7lake;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every exchange header and property name the routes use is a constant of {@link Hl7LakeConstants},
 * every constant there is used (by a route, or by the Java through the constant), and no Java class
 * spells one of our names out instead of using its constant.
 */
class Hl7LakeConstantsTest {

    /** {@code setHeader:} / {@code setProperty:} / {@code removeHeader:} … followed by {@code name: X}. */
    private static final Pattern SET = Pattern.compile(
            "(?:set|remove)(?:Header|Property):\\s*\\n\\s*name:\\s*\"?([^\"\\s]+)\"?");
    /** Simple: {@code ${header.X}}, {@code ${headers.X}}, {@code ${exchangeProperty.X}}, or with {@code [X]}. */
    private static final Pattern SIMPLE = Pattern.compile("\\$\\{(?:headers?|exchangeProperty)[.\\[]'?([A-Za-z0-9_.-]+)");
    /** The header and exchangeProperty expression languages: {@code header: X}. */
    private static final Pattern LANGUAGE = Pattern.compile("(?m)^\\s*-?\\s*(?:header|exchangeProperty):\\s*\"?([^\"\\s]+)\"?\\s*$");

    static Map<String, String> constants() throws IllegalAccessException {
        Map<String, String> byValue = new HashMap<>();
        for (Field field : Hl7LakeConstants.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                byValue.put((String) field.get(null), field.getName());
            }
        }
        return byValue;
    }

    static Set<String> namesInRoutes() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(file, StandardCharsets.UTF_8);
                for (Pattern pattern : new Pattern[] {SET, SIMPLE, LANGUAGE}) {
                    Matcher m = pattern.matcher(yaml);
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    static String mainJava() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("engine/src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("Hl7LakeConstants.java"))
                    .map(f -> {
                        try {
                            return Files.readString(f, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).collect(Collectors.joining("\n"));
        }
    }

    @Test
    void every_header_and_property_a_route_uses_is_a_constant() throws Exception {
        Set<String> used = namesInRoutes();
        assertThat(used).as("the routes set headers (the HTTP door's status at least)").isNotEmpty();
        assertThat(constants().keySet()).as("Hl7LakeConstants").containsAll(used);
    }

    @Test
    void every_constant_is_used_by_a_route_or_through_its_constant_and_never_spelled_out_in_java() throws Exception {
        Set<String> routes = namesInRoutes();
        String java = mainJava();
        for (Map.Entry<String, String> constant : constants().entrySet()) {
            assertThat(routes.contains(constant.getKey()) || java.contains(constant.getValue()))
                    .as("%s (%s) is used by a route or in Java", constant.getValue(), constant.getKey()).isTrue();
            assertThat(java).as("the Java spells %s out instead of using %s", constant.getKey(), constant.getValue())
                    .doesNotContain("\"" + constant.getKey() + "\"");
        }
    }

    @Test
    void every_constant_has_a_line_of_javadoc() throws Exception {
        String source = Files.readString(Path.of("engine/src/main/java/hl7lake/Hl7LakeConstants.java"), StandardCharsets.UTF_8);
        for (String name : constants().values()) {
            assertThat(source).as(name).containsPattern("/\\*\\*[^\\n]*\\*/\\s*\\n\\s*public static final String " + name + " ");
        }
    }
}
