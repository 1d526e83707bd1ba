package hl7lake.mllp;

import ca.uhn.hl7v2.util.Terser;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The MLLP listener with TLS: a client that trusts the server's certificate gets AA; plain text gets nothing. */
class MllpTlsTest {

    @TempDir
    static Path keys;

    private static Engine engine;
    private static int port;
    private static DynamoDbClient dynamo;
    private static MessageIndex index;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = keys.resolve("server.p12");
        keytool("-genkeypair", "-alias", "hl7lake", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-alias", "hl7lake", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", keys.resolve("server.cer").toString());
        keytool("-importcert", "-noprompt", "-alias", "hl7lake", "-file", keys.resolve("server.cer").toString(),
                "-keystore", keys.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.mllp.tls.enabled", "true", "hl7lake.mllp.tls.keystore", keystore.toString(),
                "hl7lake.mllp.tls.keystore-password", "changeit"));
        port = settings.number("hl7lake.mllp.port");
        engine = Engine.start(settings);
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        index = new MessageIndex(dynamo, new CatalogTables("hl7lake-"));
        TestEngines.awaitListening(port);
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        engine.close();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
    }

    private static int cataloged(String controlId) {
        return index.bySenderControl(MessageRecord.senderControl("MLLPTEST", "FAC", controlId)).size();
    }

    @Test
    void a_client_with_the_trust_store_gets_aa() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve("trust.p12"))) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        try (MllpSocket mllp = new MllpSocket(socket)) {
            Terser ack = new Terser(new ca.uhn.hl7v2.parser.PipeParser().parse(
                    mllp.read(MllpSocket.frame(MllpDoorTest.adt("TLS-1", "MRN-TLS")))));
            assertThat(ack.get("/MSA-1")).isEqualTo("AA");
            assertThat(ack.get("/MSA-2")).isEqualTo("TLS-1");
        }
        assertThat(cataloged("TLS-1")).isEqualTo(1);
    }

    @Test
    void a_plain_text_client_on_the_tls_port_gets_nothing_and_nothing_is_stored() throws Exception {
        try (MllpSocket plain = new MllpSocket(port)) {
            plain.write(MllpSocket.frame(MllpDoorTest.adt("PLAIN-1", "MRN-TLS")));
            assertThat(plain.closedByServer()).isTrue();
        }
        assertThat(cataloged("PLAIN-1")).isZero();
    }
}
