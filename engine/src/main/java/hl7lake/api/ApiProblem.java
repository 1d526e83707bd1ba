package hl7lake.api;

/**
 * A query API request answered with a client error, one kind per status ({@code routes/api.yaml}
 * maps each to it); the reason goes into the JSON body and names parameters, never their values.
 */
public abstract sealed class ApiProblem extends Exception {

    ApiProblem(String reason) {
        super(reason, null, false, false);
    }

    /** 404: no such message, error, patient, or path. */
    public static final class NotFound extends ApiProblem {
        NotFound(String reason) {
            super(reason);
        }
    }

    /** 400: a parameter missing, malformed, or out of range, or a page token that is not ours. */
    public static final class BadRequest extends ApiProblem {
        BadRequest(String reason) {
            super(reason);
        }
    }
}
