package hl7lake.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the HTTP door's bearer tokens as Amazon Cognito issues them, with nimbus-jose-jwt: RS256
 * only (so {@code alg: none} and HS256 signed with the public key fail), the key chosen by {@code kid}
 * from the issuer's JWKS (a token without {@code kid} is refused; cached; fetched again, at most once per {@code refetch}, when an unknown
 * {@code kid} appears, as after a key rotation), {@code iss} exact, {@code exp}/{@code nbf} with a
 * small clock skew, and the audience by {@code token_use}: an ID token's {@code aud}, an access
 * token's {@code client_id}.
 */
public final class TokenVerifier {

    /** The claims every token must have. */
    private static final Set<String> REQUIRED = Set.of("sub", "exp", "iat", "token_use");
    private static final Pattern MISSING = Pattern.compile("missing required claims?:?\\s*\\[([^\\]]*)\\]");

    /** Verified tokens kept at most this many; a sender re-uses its token for its lifetime, so few are in use at once. */
    static final int CACHE_LIMIT = 1024;
    /** A verified token is checked again in full (signature, claims) at least this often, and once it expires. */
    static final Duration CACHE_AGE = Duration.ofMinutes(5);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String clientId;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final LongAdder fullChecks = new LongAdder();

    /** A token that passed every check, by its exact text: who it is, and until when it may be taken as such. */
    private record Verified(Caller caller, Instant until) {
    }

    public TokenVerifier(URL jwks, String issuer, String clientId, Duration clockSkew, Duration refetch) {
        this(jwks, issuer, clientId, clockSkew, refetch, Clock.systemUTC());
    }

    TokenVerifier(URL jwks, String issuer, String clientId, Duration clockSkew, Duration refetch, Clock clock) {
        this.clientId = clientId;
        this.clock = clock;
        long refetchMillis = Math.max(1, refetch.toMillis());
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwks)
                .cache(Duration.ofMinutes(15).toMillis(), Duration.ofSeconds(5).toMillis())
                .rateLimited(refetchMillis)
                .build();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new JWTClaimsSet.Builder().issuer(issuer).build(), REQUIRED) {
            @Override
            protected Date currentTime() { // exp and nbf against the same clock as the cache of verified tokens
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * The token's subject, when {@code authorization} ("Bearer <jwt>", or the bare token) holds a valid one.
     * A token that passed every check is taken as verified, by its exact text, until it expires and for
     * at most {@link #CACHE_AGE} (docs/decisions.md, "Verified tokens are cached"): a sender sends
     * every request with the same token, and an RS256 check of each is a tenth of the door's work.
     */
    public String verify(String authorization) throws Unauthorized {
        return caller(authorization).subject();
    }

    /**
     * Who holds the token, when {@code authorization} holds a valid one (as {@link #verify}): its subject
     * and its roles, the groups of {@code cognito:groups} that name one ({@link Caller}).
     */
    public Caller caller(String authorization) throws Unauthorized {
        if (authorization == null || authorization.isBlank()) {
            throw Unauthorized.missing();
        }
        String token = authorization.trim();
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        Instant now = clock.instant();
        Verified known = verified.get(token);
        if (known != null) {
            if (now.isBefore(known.until())) {
                return known.caller();
            }
            verified.remove(token, known);
        }
        fullChecks.increment();
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (jwt.getHeader().getKeyID() == null || jwt.getHeader().getKeyID().isBlank()) {
                throw Unauthorized.invalid("the token has no kid: the key is chosen by kid");
            }
            claims = processor.process(jwt, null);
        } catch (ParseException e) {
            throw Unauthorized.invalid("the token is not a signed JWT");
        } catch (BadJWTException e) {
            throw Unauthorized.invalid(describe(e.getMessage()));
        } catch (BadJOSEException e) {
            throw Unauthorized.invalid("the token's signature or algorithm is not accepted");
        } catch (JOSEException e) {
            throw Unauthorized.invalid("the token could not be verified");
        }
        audience(claims);
        Caller caller = new Caller(claims.getSubject(), Caller.roles(claims.getClaim(Caller.GROUPS_CLAIM)));
        remember(token, claims, caller, now);
        return caller;
    }

    private void remember(String token, JWTClaimsSet claims, Caller caller, Instant now) {
        Instant until = now.plus(CACHE_AGE);
        if (claims.getExpirationTime() != null && claims.getExpirationTime().toInstant().isBefore(until)) {
            until = claims.getExpirationTime().toInstant();
        }
        if (!now.isBefore(until)) {
            return; // accepted within the clock skew only: checked in full each time
        }
        if (verified.size() >= CACHE_LIMIT) {
            verified.values().removeIf(v -> !now.isBefore(v.until()));
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
        }
        verified.put(token, new Verified(caller, until));
    }

    /** How many tokens were checked in full (signature and claims), not taken from the verified ones. */
    long fullChecks() {
        return fullChecks.sum();
    }

    /** How many verified tokens are kept now. */
    int cached() {
        return verified.size();
    }

    private void audience(JWTClaimsSet claims) throws Unauthorized {
        Object use = claims.getClaim("token_use");
        if ("id".equals(use)) {
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(clientId)) {
                throw Unauthorized.invalid("the ID token is not for this client");
            }
        } else if ("access".equals(use)) {
            if (!clientId.equals(claims.getClaim("client_id"))) {
                throw Unauthorized.invalid("the access token is not for this client");
            }
        } else {
            throw Unauthorized.invalid("token_use must be id or access");
        }
    }

    /** nimbus's reason without claim values: which check failed, naming the claim, never what the token said. */
    static String describe(String message) {
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        Matcher missing = MISSING.matcher(lower);
        if (missing.find()) {
            List<String> names = new ArrayList<>();
            for (String name : missing.group(1).split(",")) {
                String claim = name.trim();
                if (REQUIRED.contains(claim)) {
                    names.add(claim);
                }
            }
            return names.isEmpty() ? "the token lacks a required claim"
                    : "the token lacks the required claim" + (names.size() > 1 ? "s " : " ") + String.join(", ", names);
        }
        if (lower.startsWith("expired")) {
            return "the token has expired (exp)";
        }
        if (lower.contains("before use time")) {
            return "the token is not valid yet (nbf)";
        }
        if (lower.startsWith("jwt iss claim")) {
            return "the token is from another issuer (iss)";
        }
        return "the token's claims are not accepted";
    }
}
