package hl7lake.spi;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What local mode runs beside the engine: the embedded lake (an S3 server and DynamoDB Local on
 * loopback) and a token issuer for development. The engine finds the implementation with
 * {@link ServiceLoader}; it is in the {@code lake-local} module, which the full jar
 * ({@code target/hl7lake.jar}) and the engine's tests have and the production jar has not, so the
 * production jar cannot run local mode (docs/decisions.md, "Modules").
 */
public interface LocalMode {

    /**
     * Starts the S3 server, with {@code bucket}, and DynamoDB Local, on 127.0.0.1 ({@code 0}: a free
     * port), persisting under {@code dataDir} ({@code s3/}, {@code dynamodb/}), or in memory when it is null.
     */
    Lake startLake(Path dataDir, int s3Port, int dynamoPort, String bucket);

    /**
     * Starts the token issuer: its key under {@code dataDir} (made if missing; null: a key for this run
     * only), its JWKS served on 127.0.0.1:{@code port} ({@code 0}: a free one).
     */
    Issuer startIssuer(Path dataDir, int port);

    /** The implementation on the class path; without one, local mode is refused with the jar to use. */
    static LocalMode find() {
        return ServiceLoader.load(LocalMode.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "local mode needs the embedded lake, which this jar does not contain (it runs in AWS mode only): "
                        + "build with mvn package and run java -jar target/hl7lake.jar local"));
    }

    /** The embedded lake, stopped with the engine. */
    interface Lake extends AutoCloseable {

        URI s3Endpoint();

        URI dynamoEndpoint();

        /**
         * Waits until both servers answer (they start beside the engine's own start); throws what
         * stopped either. The endpoints of configured ports are known before.
         */
        void awaitStarted();

        /** Stops the S3 server alone (tests of storage outages). */
        void stopS3();

        /** Starts the S3 server again on the same port and directory. */
        void startS3();

        @Override
        void close();
    }

    /** The development token issuer, stopped with the engine. */
    interface Issuer extends AutoCloseable {

        /** Its issuer URL ({@code iss}); its keys are at {@code <issuer>/.well-known/jwks.json}. */
        String issuer();

        /** The client id its tokens carry. */
        String clientId();

        /** A token for {@code user} in the {@code sender} group: an ID token ({@code aud}) or an access token ({@code client_id}). */
        default String token(String user, Duration lifetime, boolean idToken) {
            return token(user, lifetime, idToken, List.of("sender"));
        }

        /** A token for {@code user} in these groups ({@code cognito:groups}: sender, reader, operator). */
        String token(String user, Duration lifetime, boolean idToken, List<String> groups);

        /**
         * Makes the signing key now, on a thread of its own, if there is none yet (the engine calls this
         * once it is ready; a token or a JWKS request before then makes it at once and waits for it).
         */
        void prepareKey();

        @Override
        void close();
    }
}
