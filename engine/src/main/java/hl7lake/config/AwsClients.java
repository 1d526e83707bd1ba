package hl7lake.config;

import org.apache.http.HttpHost;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import javax.net.ssl.SSLException;

/**
 * AWS SDK clients. Against an embedded endpoint (local mode, tests) the credentials are fixed
 * placeholders that the embedded servers ignore; against AWS they come from the default provider
 * chain (environment, profile, task role). The same SDK calls run in both. Both clients bound the
 * calls of a pipeline step by the message's deadline ({@link StorageDeadline}).
 */
public final class AwsClients {

    /** Enough for every MLLP connection, HTTP request thread and inbox worker at once. */
    private static final int MAX_CONNECTIONS = 256;

    private AwsClients() {
    }

    /** {@code endpoint} null means real AWS in {@code region}. */
    public static DynamoDbClient dynamo(URI endpoint, String region) {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(http(endpoint))
                .overrideConfiguration(o -> o.addExecutionInterceptor(StorageDeadline.INTERCEPTOR))
                .credentialsProvider(credentials(endpoint));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /** Path-style addressing against an embedded endpoint, where no DNS name exists per bucket. */
    public static S3Client s3(URI endpoint, String region) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .httpClientBuilder(http(endpoint))
                .overrideConfiguration(o -> o.addExecutionInterceptor(StorageDeadline.INTERCEPTOR))
                .credentialsProvider(credentials(endpoint));
        if (endpoint != null) {
            builder.endpointOverride(endpoint).forcePathStyle(true);
        }
        return builder.build();
    }

    /** The drop folder's queue (AWS mode); no storage deadline: its receives are long polls of their own. */
    public static SqsClient sqs(URI endpoint, String region) {
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(credentials(endpoint));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /**
     * Apache's pooled client: keep-alive connections for every pipeline thread and door (the JDK's
     * URLConnection keeps 5 per host), and a connection the server closed while idle is an I/O
     * error the SDK retries (URLConnection wraps it in UncheckedIOException, which escapes the
     * retry policy: aws-sdk-java-v2 #7347, fixed after 2.41). Against a plain {@code http://} endpoint
     * (local mode, tests) its TLS socket factory is one that is never set up: building the default
     * one loads the JDK's trust store, a quarter of a second of every start on 2 cores, for a scheme
     * such a client never uses (docs/decisions.md, "Start-up").
     */
    private static ApacheHttpClient.Builder http(URI endpoint) {
        ApacheHttpClient.Builder builder = ApacheHttpClient.builder().maxConnections(MAX_CONNECTIONS);
        if (endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme())) {
            builder.socketFactory(NoTls.INSTANCE);
        }
        return builder;
    }

    /** The TLS socket factory of a client whose endpoint is plain HTTP: refuses, never connects in clear text. */
    private enum NoTls implements ConnectionSocketFactory {
        INSTANCE;

        @Override
        public Socket createSocket(HttpContext context) throws IOException {
            throw new SSLException("this client's endpoint is plain http; it has no TLS set up");
        }

        @Override
        public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
                                    InetSocketAddress localAddress, HttpContext context) throws IOException {
            throw new SSLException("this client's endpoint is plain http; it has no TLS set up");
        }
    }

    private static AwsCredentialsProvider credentials(URI endpoint) {
        return endpoint == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }
}
