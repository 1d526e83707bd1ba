package hl7lake.http;

/**
 * A request the HTTP door refuses before the pipeline, one kind per answer; {@code routes/http.yaml}
 * maps each kind to its status in its {@code onException} clauses, and the reason goes into the JSON
 * body. {@link Unauthorized} (401) is the other kind.
 */
public abstract sealed class HttpProblem extends Exception {

    HttpProblem(String reason) {
        super(reason, null, false, false);
    }

    /** 413: the message is over {@code hl7lake.http.max-message-bytes}. */
    public static final class TooLarge extends HttpProblem {
        TooLarge(String reason) {
            super(reason);
        }
    }

    /** 415: a content type (or a charset) the door does not read. */
    public static final class UnsupportedMediaType extends HttpProblem {
        UnsupportedMediaType(String reason) {
            super(reason);
        }
    }

    /** 400: the body is empty. Nothing to keep. */
    public static final class EmptyBody extends HttpProblem {
        EmptyBody(String reason) {
            super(reason);
        }
    }

    /** 400: the body is not in the form its content type says; it is kept in the error zone with an error record. */
    public static final class Unreadable extends HttpProblem {

        private final transient byte[] body;

        Unreadable(String reason, byte[] body) {
            super(reason);
            this.body = body;
        }

        /** The bytes received, for the error zone. */
        byte[] body() {
            return body;
        }
    }
}
