package hl7lake.http;

/** A request answered before the pipeline: its HTTP status and the reason given in the JSON body. */
final class HttpProblem extends Exception {

    private final int status;

    HttpProblem(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
