package hl7lake.http;

/**
 * A request answered before the pipeline: its HTTP status and the reason given in the JSON body;
 * for a body that could not be decoded, the bytes received, which go to the error zone.
 */
final class HttpProblem extends Exception {

    private final int status;
    private final transient byte[] unreadable;

    HttpProblem(int status, String reason) {
        this(status, reason, null);
    }

    private HttpProblem(int status, String reason, byte[] unreadable) {
        super(reason, null, false, false);
        this.status = status;
        this.unreadable = unreadable;
    }

    /** 400: the body could not be decoded; it is kept in the error zone with an error record. */
    static HttpProblem unreadable(String reason, byte[] body) {
        return new HttpProblem(400, reason, body);
    }

    int status() {
        return status;
    }

    /** The body to keep in the error zone, or null. */
    byte[] unreadable() {
        return unreadable;
    }
}
