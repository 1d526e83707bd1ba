package hl7lake;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;

/**
 * Every exchange header and property name the routes ({@code routes/*.yaml}) and the beans they call
 * use, in one place, as camel-mllp's {@code MllpConstants}. The YAML routes spell the values out;
 * {@code Hl7LakeConstantsTest} checks that every name a route uses is here and that every name here is
 * used. Camel's own names appear where a route sets them.
 */
public final class Hl7LakeConstants {

    /** Header (Camel's): the HTTP status of the HTTP door's reply. */
    public static final String HTTP_RESPONSE_CODE = Exchange.HTTP_RESPONSE_CODE;

    /** Header: seconds after which a client told 503 may send again (RFC 9110); the HTTP door's only other reply header but Content-Type. */
    public static final String RETRY_AFTER = "Retry-After";

    /** Header: the bearer challenge of a 401 (RFC 6750), saying why the token was refused. */
    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    /** Exchange property: set once storage failed for a message of an HTTP request (shared by the split's parts), so its later messages are not tried. */
    public static final String HTTP_STORAGE_FAILED = "hl7lake.http.storageFailed";

    /** Exchange property: the MLLP frame being answered, for the ACK of a message whose handling failed. */
    public static final String MLLP_FRAME = "hl7lake.mllp.frame";

    /** Header (Camel's aws2-sqs): the id of the inbox event being handled, the only thing its log lines name. */
    public static final String SQS_MESSAGE_ID = Sqs2Constants.MESSAGE_ID;

    /** Exchange property: how many files an inbox event names that are not finished yet (0: the event is deleted from the queue). */
    public static final String INBOX_UNFINISHED = "hl7lake.inbox.unfinished";

    private Hl7LakeConstants() {
    }
}
