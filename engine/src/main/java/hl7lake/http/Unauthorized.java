package hl7lake.http;

/**
 * Why a request's token was refused: the {@code error} of RFC 6750 ({@code invalid_token}, or none
 * when no token was sent) and a description for the {@code WWW-Authenticate} header and the JSON
 * body. Never the token or its claims.
 */
public final class Unauthorized extends Exception {

    private final String error;

    Unauthorized(String error, String description) {
        super(description, null, false, false);
        this.error = error;
    }

    static Unauthorized missing() {
        return new Unauthorized(null, "an Authorization header with a bearer token is required");
    }

    static Unauthorized invalid(String description) {
        return new Unauthorized("invalid_token", description);
    }

    /** The {@code WWW-Authenticate} challenge. */
    public String challenge() {
        return error == null ? "Bearer realm=\"hl7lake\""
                : "Bearer realm=\"hl7lake\", error=\"" + error + "\", error_description=\"" + getMessage() + "\"";
    }
}
