package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.Severity;

/**
 * A message we will not accept, with what the sender needs to act on it: the HL7 table 0357 code,
 * where it is, and a reason naming the rule. The reason never quotes a value from the message
 * (values may be patient data and reasons reach logs and error records).
 */
public final class Hl7Rejection extends Exception {

    private final ErrorCode code;
    private final ErrorLocation location;
    private final Severity severity;

    public Hl7Rejection(ErrorCode code, ErrorLocation location, String reason) {
        super(reason, null, false, false);
        this.code = code;
        this.location = location;
        this.severity = Severity.ERROR;
    }

    /** A message over the size limit: not processed (AR), so the sender can split or reroute it. */
    public static Hl7Rejection tooLarge(long limitBytes) {
        return new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(),
                "the message is larger than the " + limitBytes + "-byte limit");
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorLocation location() {
        return location;
    }

    public Severity severity() {
        return severity;
    }

    public String reason() {
        return getMessage();
    }

    /**
     * AR when we did not process the message for a reason that is not its content (type, event,
     * processing id or version we do not support, or our own failure): the sender may retry or route
     * it elsewhere. AE when the content is wrong: resending the same bytes will not help.
     */
    public AcknowledgmentCode acknowledgmentCode() {
        return switch (code) {
            case UNSUPPORTED_MESSAGE_TYPE, UNSUPPORTED_EVENT_CODE, UNSUPPORTED_PROCESSING_ID,
                 UNSUPPORTED_VERSION_ID, APPLICATION_INTERNAL_ERROR -> AcknowledgmentCode.AR;
            default -> AcknowledgmentCode.AE;
        };
    }

    @Override
    public String toString() {
        return code.getCode() + " at " + location + ": " + getMessage();
    }
}
