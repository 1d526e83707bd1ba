package hl7lake.http;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cache of verified tokens (docs/decisions.md, "Verified tokens are cached"): a token is checked
 * in full (RS256 signature against the issuer's JWKS, claims) once, then taken by its exact text until
 * it expires or {@link TokenVerifier#CACHE_AGE} has passed; refusals are never kept. Against the local
 * issuer's JWKS over HTTP, on a clock the test moves.
 */
class TokenVerifierTest {

    /** Tokens are issued on the real clock, a little after the test's clock was set. */
    private static final Duration SKEW = Duration.ofSeconds(60);

    private LocalIssuer issuer;
    private MovableClock clock;
    private TokenVerifier verifier;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.start(null, 0);
        clock = new MovableClock(Instant.now());
        verifier = new TokenVerifier(jwks(issuer.issuer()), issuer.issuer(), LocalIssuer.CLIENT_ID,
                SKEW, Duration.ofSeconds(30), clock);
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void a_token_is_checked_in_full_once_then_taken_as_verified() throws Exception {
        String token = issuer.token("sender-a", Duration.ofHours(1), false);
        String subject = verifier.verify("Bearer " + token);
        for (int i = 0; i < 50; i++) {
            assertThat(verifier.verify("Bearer " + token)).isEqualTo(subject);
        }
        assertThat(verifier.fullChecks()).isEqualTo(1);
        verifier.verify(issuer.token("sender-b", Duration.ofHours(1), true));
        assertThat(verifier.fullChecks()).as("another token is checked on its own").isEqualTo(2);
    }

    @Test
    void roles_are_the_cognito_groups_that_name_one_also_when_taken_from_the_verified_tokens() throws Exception {
        String token = "Bearer " + issuer.token("ops", Duration.ofHours(1), false, List.of("reader", "operator", "admins"));
        for (int i = 0; i < 2; i++) {
            Caller caller = verifier.caller(token);
            assertThat(caller.roles()).containsExactlyInAnyOrder(Caller.Role.READER, Caller.Role.OPERATOR);
            assertThat(caller.subject()).isEqualTo(verifier.verify(token));
        }
        assertThat(verifier.caller("Bearer " + issuer.token("dev", Duration.ofHours(1), true)).roles())
                .as("the default token is a sender's (the README's POST)").containsExactly(Caller.Role.SENDER);
        assertThat(verifier.caller("Bearer " + issuer.token("none", Duration.ofHours(1), false, List.of())).roles()).isEmpty();
    }

    @Test
    void a_verified_token_is_refused_once_it_expires() throws Exception {
        String token = "Bearer " + issuer.token("sender-a", Duration.ofMinutes(3), false);
        verifier.verify(token);
        clock.advance(Duration.ofMinutes(2));
        verifier.verify(token);
        assertThat(verifier.fullChecks()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(3)); // past exp by more than the skew
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Unauthorized.class).hasMessageContaining("expired");
    }

    @Test
    void a_verified_token_is_checked_in_full_again_after_the_cache_age() throws Exception {
        String token = "Bearer " + issuer.token("sender-a", Duration.ofHours(1), false);
        verifier.verify(token);
        clock.advance(TokenVerifier.CACHE_AGE.plusSeconds(1));
        verifier.verify(token);
        assertThat(verifier.fullChecks()).isEqualTo(2);
    }

    @Test
    void a_refused_token_is_never_kept() throws Exception {
        String token = issuer.token("sender-a", Duration.ofHours(1), false);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> verifier.verify("Bearer " + forged)).isInstanceOf(Unauthorized.class);
        }
        assertThat(verifier.fullChecks()).isEqualTo(3);
        assertThat(verifier.cached()).isZero();
        // a verifier for another client: the signature and claims pass, the audience does not; not kept either
        TokenVerifier otherClient = new TokenVerifier(jwks(issuer.issuer()), issuer.issuer(), "another-client",
                SKEW, Duration.ofSeconds(30), clock);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> otherClient.verify("Bearer " + token)).isInstanceOf(Unauthorized.class)
                    .hasMessageContaining("not for this client");
        }
        assertThat(otherClient.fullChecks()).isEqualTo(2);
        assertThat(otherClient.cached()).isZero();
    }

    @Test
    void no_more_than_the_limit_of_tokens_is_kept() throws Exception {
        for (int i = 0; i <= TokenVerifier.CACHE_LIMIT + 10; i++) {
            verifier.verify(issuer.token("sender-" + i, Duration.ofHours(1), false));
            assertThat(verifier.cached()).isLessThanOrEqualTo(TokenVerifier.CACHE_LIMIT);
        }
    }

    private static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Where an issuer serves its keys, as Cognito does. */
    private static URL jwks(String issuer) {
        try {
            return URI.create(issuer + "/.well-known/jwks.json").toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
