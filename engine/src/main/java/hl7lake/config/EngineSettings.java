package hl7lake.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The engine's settings: {@code application.properties}, then environment variables
 * ({@code HL7LAKE_LAKE_BUCKET} for {@code hl7lake.lake.bucket}), then {@code -D} system properties,
 * then what the command line set. All of them are also Camel's properties, so routes read the same
 * values with {@code {{key}}}.
 */
public final class EngineSettings {

    private final Properties properties;

    private EngineSettings(Properties properties) {
        this.properties = properties;
    }

    public static EngineSettings load(Map<String, String> overrides) {
        return load(overrides, System.getenv());
    }

    /** The file, then {@code environment} in place of the process environment, then {@code overrides}. */
    public static EngineSettings load(Map<String, String> overrides, Map<String, String> environment) {
        Properties properties = new Properties();
        try (InputStream in = EngineSettings.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        environment.forEach((name, value) -> {
            if (name.startsWith("HL7LAKE_")) {
                properties.setProperty(keyOf(name, properties), value);
            }
        });
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("hl7lake."))
                .forEach(k -> properties.setProperty(k, System.getProperty(k)));
        overrides.forEach(properties::setProperty);
        return new EngineSettings(properties);
    }

    /** HL7LAKE_LOCAL_S3_PORT is hl7lake.local.s3-port: the known key it stands for, else dots for underscores. */
    private static String keyOf(String variable, Properties known) {
        for (String key : known.stringPropertyNames()) {
            if (key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_').equals(variable)) {
                return key;
            }
        }
        return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    public String get(String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("setting " + key + " is required (or its environment variable "
                    + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")");
        }
        return value.trim();
    }

    /** A setting that may be empty; null then. */
    public String optional(String key) {
        String value = properties.getProperty(key, "").trim();
        return value.isEmpty() ? null : value;
    }

    /** {@code value} (already resolved from {@code key} or a default), or the same error as {@link #get} when null. */
    public String require(String value, String key) {
        return value != null ? value : get(key);
    }

    public int number(String key) {
        return Integer.parseInt(get(key));
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(get(key));
    }

    /** local or aws; there is no default. */
    public String mode() {
        String mode = properties.getProperty("hl7lake.mode", "").trim();
        if (!mode.equals("local") && !mode.equals("aws")) {
            throw new IllegalStateException("hl7lake.mode (HL7LAKE_MODE) must be set to local or aws");
        }
        return mode;
    }

    public Path dataDir() {
        return Path.of(get("hl7lake.local.data-dir"));
    }

    public Properties asProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }
}
