package hl7lake.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import hl7lake.spi.LocalMode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.StandardCopyOption;
import java.nio.file.FileAlreadyExistsException;

/**
 * The local mode's token issuer, for development only (AWS mode has none): an RSA key pair kept
 * under the data directory (made on first start, readable by its owner only), its public JWKS
 * served on loopback at {@code <issuer>/.well-known/jwks.json} as Cognito serves a user pool's,
 * and tokens shaped like Cognito's (ID: {@code aud}; access: {@code client_id}; {@code token_use}).
 */
public final class LocalIssuer implements LocalMode.Issuer {

    public static final String CLIENT_ID = "hl7lake-local";

    private final CompletableFuture<RSAKey> key;
    /** Starts the thread that makes a new key, once; null when the key was read from the data directory. */
    private final AtomicReference<Thread> maker;
    private final HttpServer server;
    private final String issuer;

    private LocalIssuer(CompletableFuture<RSAKey> key, Thread maker, HttpServer server, String issuer) {
        this.key = key;
        this.maker = new AtomicReference<>(maker);
        this.server = server;
        this.issuer = issuer;
    }

    /**
     * Serves the JWKS of the key under {@code dataDir} (null: a key for this run only). A key kept
     * there is read now (a file that is not one fails the start). A new one (an RSA key pair takes
     * several hundred milliseconds of CPU, a large share of a first start's on two cores) is made on a
     * thread of its own when {@link #prepareKey()} is called, once the engine is ready, or at the first
     * JWKS or token request if that comes earlier; those wait for it (docs/decisions.md, "Start-up").
     */
    public static LocalIssuer start(Path dataDir, int port) {
        CompletableFuture<RSAKey> key;
        Thread maker = null;
        if (dataDir != null && Files.isRegularFile(keyFile(dataDir))) {
            key = CompletableFuture.completedFuture(loadOrCreate(dataDir));
        } else {
            key = new CompletableFuture<>();
            CompletableFuture<RSAKey> made = key;
            maker = new Thread(() -> {
                try {
                    made.complete(dataDir == null ? generate() : loadOrCreate(dataDir));
                } catch (RuntimeException e) {
                    made.completeExceptionally(e);
                }
            }, "local-issuer-key");
            maker.setDaemon(true);
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            LocalIssuer started = new LocalIssuer(key, maker, server, issuerFor(server.getAddress().getPort()));
            CompletableFuture<byte[]> jwks = key.thenApply(k -> new JWKSet(k.toPublicJWK()).toString(true)
                    .getBytes(StandardCharsets.UTF_8));
            server.createContext("/.well-known/jwks.json", exchange -> {
                started.prepareKey();
                byte[] body = joined(jwks);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("the local token issuer could not listen on 127.0.0.1:" + port, e);
        }
    }

    @Override
    public void prepareKey() {
        Thread waiting = maker.getAndSet(null);
        if (waiting != null) {
            waiting.start();
        }
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static Path keyFile(Path dataDir) {
        return dataDir.resolve("issuer").resolve("signing-key.jwk.json");
    }

    /** The issuer URL ({@code iss}) of the local issuer on {@code port}. */
    public static String issuerFor(int port) {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String issuer() {
        return issuer;
    }

    @Override
    public String clientId() {
        return CLIENT_ID;
    }

    @Override
    public String token(String user, Duration lifetime, boolean idToken, List<String> groups) {
        prepareKey();
        return token(joined(key), issuer, user, lifetime, idToken, groups);
    }

    /** A token of the {@code sender} group signed with {@code key} (see the other {@code token}). */
    public static String token(RSAKey key, String issuer, String user, Duration lifetime, boolean idToken) {
        return token(key, issuer, user, lifetime, idToken, List.of("sender"));
    }

    /**
     * A token signed with {@code key}, as Cognito's: an ID token ({@code aud}) or an access token
     * ({@code client_id}), with the user's {@code groups} in {@code cognito:groups} (the roles).
     */
    public static String token(RSAKey key, String issuer, String user, Duration lifetime, boolean idToken,
                               List<String> groups) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(UUID.nameUUIDFromBytes(
                        user.getBytes(StandardCharsets.UTF_8)).toString())
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString()).claim("token_use", idToken ? "id" : "access");
        if (!groups.isEmpty()) {
            claims.claim("cognito:groups", List.copyOf(groups));
        }
        if (idToken) {
            claims.audience(CLIENT_ID).claim("cognito:username", user);
        } else {
            claims.claim("client_id", CLIENT_ID).claim("username", user);
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
    }

    /**
     * The signing key under {@code dataDir}/issuer, made on first use. Two makers at once (the engine's
     * first start and a {@code token} command beside it) end with the same key: the file is linked into
     * place only where there is none, and the one that finds one there takes it.
     */
    public static RSAKey loadOrCreate(Path dataDir) {
        Path file = keyFile(dataDir);
        try {
            if (Files.isRegularFile(file)) {
                return RSAKey.parse(Files.readString(file));
            }
            RSAKey key = generate();
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "key", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the data directory's own permissions apply
                }
                Files.writeString(temp, key.toJSONString());
                try {
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException madeMeanwhile) {
                    return RSAKey.parse(Files.readString(file));
                } catch (UnsupportedOperationException noHardLinks) {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("the local issuer's key under " + file.getParent() + " could not be kept", e);
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is not an RSA JWK: delete it to make a new key", e);
        }
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("could not generate an RSA key", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
