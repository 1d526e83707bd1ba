package hl7lake.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The HTTP door's JSON replies, marshalled with camel-jackson in {@code routes/http.yaml}; the route
 * sets the status. A message's result ({@link Accepted}, {@link Rejected}, {@link Unavailable}) is the
 * whole reply to a request of one message, or one of the {@link Batch}'s results. A {@link Problem}
 * answers a request refused before the pipeline. Ids, keys, codes and reasons; never message content.
 */
public sealed interface HttpReply {

    /** 200: stored in the raw and staging zones and cataloged. {@code duplicate}: true for a resend, else left out. */
    record Accepted(String status, @JsonProperty("message_id") String messageId,
                    @JsonProperty("control_id") String controlId, @JsonProperty("staging_key") String stagingKey,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean duplicate, String ack) implements HttpReply {

        Accepted(String messageId, String controlId, String stagingKey, boolean duplicate, String ack) {
            this("accepted", messageId, controlId, stagingKey, duplicate ? Boolean.TRUE : null, ack);
        }
    }

    /** 400: kept as received in the error zone with an error record; the HL7 code, location and reason. */
    record Rejected(String status, @JsonProperty("error_id") String errorId, @JsonProperty("control_id") String controlId,
                    int code, String location, String reason, @JsonProperty("error_key") String errorKey,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean duplicate, String ack) implements HttpReply {

        Rejected(String errorId, String controlId, int code, String location, String reason, String errorKey,
                 boolean duplicate, String ack) {
            this("rejected", errorId, controlId, code, location, reason, errorKey, duplicate ? Boolean.TRUE : null, ack);
        }
    }

    /** 503: storage failed, nothing was stored; send the message again. */
    record Unavailable(String status, String reason, String ack) implements HttpReply {

        Unavailable(String ack) {
            this("unavailable", "storage is unavailable; nothing was stored; send the message again", ack);
        }
    }

    /** A body of several messages: a result per message, in order; 503 ({@code unavailable}) when one was not stored. */
    record Batch(String status, int messages, int accepted, int rejected, List<HttpReply> results) implements HttpReply {
    }

    /**
     * A request refused before the pipeline (401, 413, 415, 400, 503): why. A body that could not be
     * decoded (400) is kept in the error zone: its error id, HL7 code, location and error key; else those are left out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String status, String reason, @JsonProperty("error_id") String errorId, Integer code,
                   String location, @JsonProperty("error_key") String errorKey) implements HttpReply {

        Problem(String status, String reason) {
            this(status, reason, null, null, null, null);
        }
    }
}
