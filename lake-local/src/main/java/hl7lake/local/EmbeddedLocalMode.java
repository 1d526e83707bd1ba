package hl7lake.local;

import hl7lake.http.LocalIssuer;
import hl7lake.spi.LocalMode;

import java.nio.file.Path;

/** Local mode's lake and token issuer, as the engine finds them (META-INF/services/hl7lake.spi.LocalMode). */
public final class EmbeddedLocalMode implements LocalMode {

    @Override
    public Lake startLake(Path dataDir, int s3Port, int dynamoPort, String bucket) {
        return LocalLake.start(dataDir, s3Port, dynamoPort, bucket);
    }

    @Override
    public Issuer startIssuer(Path dataDir, int port) {
        return LocalIssuer.start(dataDir, port);
    }
}
