package hl7lake;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;

import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** Settings for engines in tests: local mode in memory, every port a free one, plus what a test adds. */
public final class TestEngines {

    private TestEngines() {
    }

    public static EngineSettings local(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0",
                "hl7lake.http.port", Integer.toString(FreePorts.find()), "hl7lake.mllp.port", Integer.toString(FreePorts.find()), "hl7lake.local.issuer-port", "0"));
        settings.putAll(extra);
        return EngineSettings.load(settings);
    }

    /** Local mode kept under {@code dir} (so that a second engine finds the first one's lake), no drop folder, this profile. */
    public static EngineSettings onDisk(java.nio.file.Path dir, String profile) {
        return local(Map.of("hl7lake.inbox.enabled", "false", "hl7lake.local.in-memory", "false",
                "hl7lake.local.data-dir", dir.toString(), "hl7lake.validation.profile", profile));
    }

    /** Any other mode: just free HTTP and MLLP ports added. */
    public static EngineSettings with(Map<String, String> given) {
        Map<String, String> settings = new HashMap<>(given);
        settings.putIfAbsent("hl7lake.http.port", Integer.toString(FreePorts.find()));
        settings.putIfAbsent("hl7lake.mllp.port", Integer.toString(FreePorts.find()));
        settings.putIfAbsent("hl7lake.local.issuer-port", "0");
        if (!"local".equals(settings.get("hl7lake.mode"))) { // AWS mode has no local issuer: no HTTP door or API unless one is given
            settings.putIfAbsent("hl7lake.http.door.enabled", Boolean.toString(settings.containsKey("hl7lake.http.auth.issuer")));
            settings.putIfAbsent("hl7lake.api.enabled", Boolean.toString(settings.containsKey("hl7lake.http.auth.issuer")));
        }
        return EngineSettings.load(settings);
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:{@code port} (an engine's door). */
    public static void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            new Socket("127.0.0.1", port).close();
            return true;
        });
    }

    /** A HAPI context for tests that send with HAPI's own MLLP client: v2.5 model, no validation. */
    public static HapiContext hapiClient() {
        HapiContext hapi = new DefaultHapiContext(new CanonicalModelClassFactory("2.5"));
        hapi.setValidationContext(ValidationContextFactory.noValidation());
        return hapi;
    }
}
