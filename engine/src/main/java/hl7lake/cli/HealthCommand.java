package hl7lake.cli;

import hl7lake.config.EngineSettings;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code health}: exits 0 when the engine on this host answers 200 on /observe/health (S3 and
 * DynamoDB reachable), else 1: a health probe for hosts without curl (the image probes with curl).
 */
public final class HealthCommand {

    private HealthCommand() {
    }

    public static int run(EngineSettings settings, PrintStream err) {
        URI health = URI.create("http://127.0.0.1:" + settings.number("hl7lake.http.port") + "/observe/health");
        try {
            int status = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return 0;
            }
            err.println("hl7lake: " + health + " answered " + status);
        } catch (Exception e) {
            err.println("hl7lake: " + health + " did not answer (" + e.getClass().getSimpleName() + ")");
        }
        return 1;
    }
}
