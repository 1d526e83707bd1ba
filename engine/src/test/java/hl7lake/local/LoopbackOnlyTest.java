package hl7lake.local;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.AwsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Local mode's storage listeners (the S3 server, DynamoDB Local, the token issuer's JWKS) take any
 * request without credentials that mean anything: each answers on 127.0.0.1 and refuses a connection
 * to any other address of this machine.
 */
class LoopbackOnlyTest {

    private static Engine engine;

    @BeforeAll
    static void start() throws Exception {
        engine = Engine.start(TestEngines.local(Map.of("hl7lake.inbox.enabled", "false")));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** Every address of this machine's interfaces that is up, but loopback's. */
    static List<InetAddress> otherAddresses() throws SocketException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (nic.isUp() && !nic.isLoopback()) {
                nic.inetAddresses().filter(a -> !a.isLoopbackAddress())
                        .filter(a -> !(a instanceof Inet6Address && a.isLinkLocalAddress())).forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static void assertLoopbackOnly(String listener, int port) throws IOException {
        List<InetAddress> others = otherAddresses();
        assumeFalse(others.isEmpty(), "this machine has no address but loopback");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            assertThat(socket.isConnected()).as(listener + " on 127.0.0.1").isTrue();
        }
        for (InetAddress address : others) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, port), 2000);
                }
            }).as(listener + " on " + address.getHostAddress()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void dynamodb_local_answers_on_loopback_only() throws Exception {
        URI endpoint = engine.local().dynamoEndpoint();
        try (var dynamo = AwsClients.dynamo(endpoint, "us-east-1")) {
            assertThat(dynamo.listTables().tableNames()).contains("hl7lake-messages");
        }
        assertLoopbackOnly("DynamoDB Local", endpoint.getPort());
    }

    @Test
    void the_local_s3_server_answers_on_loopback_only() throws Exception {
        URI endpoint = engine.local().s3Endpoint();
        try (var s3 = AwsClients.s3(endpoint, "us-east-1")) {
            assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).contains("hl7lake");
        }
        assertLoopbackOnly("the local S3 server", endpoint.getPort());
    }

    @Test
    void the_local_token_issuers_jwks_answers_on_loopback_only() throws Exception {
        URI issuer = URI.create(engine.issuer().issuer());
        var http = java.net.http.HttpClient.newHttpClient();
        var jwks = http.send(java.net.http.HttpRequest.newBuilder(URI.create(issuer + "/.well-known/jwks.json")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(jwks.body()).contains("\"keys\"");
        assertLoopbackOnly("the local token issuer", issuer.getPort());
    }
}
