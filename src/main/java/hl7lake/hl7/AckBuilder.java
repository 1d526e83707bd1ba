package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Severity;
import ca.uhn.hl7v2.model.v25.datatype.CWE;
import ca.uhn.hl7v2.model.v25.datatype.ERL;
import ca.uhn.hl7v2.model.v25.message.ACK;
import ca.uhn.hl7v2.model.v25.segment.ERR;
import ca.uhn.hl7v2.model.v25.segment.MSA;
import ca.uhn.hl7v2.model.v25.segment.MSH;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;

/**
 * Builds our acknowledgement of an inbound message (ARCHITECTURE.md §2 MLLP): a new MSH-7 and
 * MSH-10; sender and receiver swapped; {@code ACK^<trigger>^ACK}; MSH-11/12 and MSH-18 copied (MSH-12
 * only when it is a version we support, else 2.5);
 * MSA-2 = the inbound MSH-10; on AE/AR an ERR with ERR-2 location, ERR-3 code (table 0357), ERR-4
 * severity, and the reason in MSA-3 (and ERR-1 for receivers before v2.5). Encoded with the inbound
 * delimiters. In enhanced mode (MSH-15/16 valued) it is a commit ACK, CA/CE/CR, sent as MSH-15 asks.
 */
public final class AckBuilder {

    private static final DateTimeFormatter HL7_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSZ");
    private static final Set<String> BEFORE_V25 = Set.of("2.1", "2.2", "2.3", "2.3.1", "2.4");
    private static final int MSA3_LENGTH = 80;

    private final HapiContext context;
    private final Clock clock;

    public AckBuilder(HapiContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    /**
     * The ACK for {@code outcome} (AA, AE or AR as in original mode), or empty when the sender's
     * MSH-15 asked for none in this case. {@code rejection} is required for AE and AR.
     */
    public Optional<Ack> build(MshHeader inbound, AcknowledgmentCode outcome, Hl7Rejection rejection) {
        AcknowledgmentCode code = inbound.enhancedMode() ? commitCode(outcome) : outcome;
        if (inbound.enhancedMode() && !wanted(inbound.acceptAckType(), outcome == AcknowledgmentCode.AA)) {
            return Optional.empty();
        }
        try {
            ACK ack = new ACK(context.getModelClassFactory());
            ack.setParser(context.getPipeParser());
            String controlId = ControlIds.next();
            header(ack.getMSH(), inbound, controlId);
            MSA msa = ack.getMSA();
            msa.getAcknowledgmentCode().setValue(code.name());
            msa.getMessageControlID().parse(inbound.controlId());
            if (rejection != null && outcome != AcknowledgmentCode.AA) {
                msa.getTextMessage().setValue(truncate(rejection.reason()));
                error(ack.getERR(), rejection, BEFORE_V25.contains(inbound.versionId()));
            }
            return Optional.of(new Ack(context.getPipeParser().encode(ack), code, controlId));
        } catch (HL7Exception e) {
            // Only reachable through a HAPI defect: every value set here is ours or was read with these delimiters.
            throw new IllegalStateException("could not build an acknowledgement: " + e.getClass().getSimpleName(), e);
        }
    }

    private void header(MSH msh, MshHeader inbound, String controlId) throws HL7Exception {
        msh.getFieldSeparator().setValue(String.valueOf(inbound.fieldSeparator()));
        msh.getEncodingCharacters().setValue(inbound.encodingCharacters());
        msh.getSendingApplication().parse(inbound.receivingApplication());
        msh.getSendingFacility().parse(inbound.receivingFacility());
        msh.getReceivingApplication().parse(inbound.sendingApplication());
        msh.getReceivingFacility().parse(inbound.sendingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(HL7_TIME.format(ZonedDateTime.now(clock)));
        msh.getMessageType().getMessageCode().setValue("ACK");
        msh.getMessageType().getTriggerEvent().parse(inbound.triggerEvent());
        msh.getMessageType().getMessageStructure().setValue("ACK");
        msh.getMessageControlID().setValue(controlId);
        msh.getProcessingID().parse(inbound.processingId().isEmpty() ? "P" : inbound.processingId());
        // MSH-12 is copied when it is a version we speak; a missing or unsupported one (the reason for an
        // AR) is answered as 2.5, the structure this ACK really has, so that the sender can parse it.
        msh.getVersionID().parse(MshHeader.supportsVersion(inbound.versionId()) ? inbound.version() : "2.5");
        if (inbound.enhancedMode()) {
            // An ACK is never itself acknowledged.
            msh.getAcceptAcknowledgmentType().setValue("NE");
            msh.getApplicationAcknowledgmentType().setValue("NE");
        }
        if (!inbound.characterSet().isEmpty()) {
            msh.getCharacterSet(0).parse(inbound.characterSet());
        }
    }

    private static void error(ERR err, Hl7Rejection rejection, boolean beforeV25) throws HL7Exception {
        ErrorLocation where = rejection.location();
        ERL location = err.getErrorLocation(0);
        set(location.getSegmentID(), where.segment());
        number(location.getSegmentSequence(), where.segmentSequence());
        number(location.getFieldPosition(), where.field());
        number(location.getFieldRepetition(), where.repetition());
        number(location.getComponentNumber(), where.component());
        number(location.getSubComponentNumber(), where.subcomponent());
        CWE code = err.getHL7ErrorCode();
        code.getIdentifier().setValue(String.valueOf(rejection.code().getCode()));
        code.getText().setValue(rejection.code().getMessage());
        code.getNameOfCodingSystem().setValue("HL70357");
        err.getSeverity().setValue(Severity.ERROR.getCode());
        err.getUserMessage().setValue(rejection.reason());
        if (beforeV25) {
            var eld = err.getErrorCodeAndLocation(0);
            set(eld.getSegmentID(), where.segment());
            number(eld.getSegmentSequence(), where.segmentSequence());
            number(eld.getFieldPosition(), where.field());
            eld.getCodeIdentifyingError().getIdentifier().setValue(String.valueOf(rejection.code().getCode()));
            eld.getCodeIdentifyingError().getText().setValue(rejection.code().getMessage());
            eld.getCodeIdentifyingError().getNameOfCodingSystem().setValue("HL70357");
        }
    }

    private static void set(ca.uhn.hl7v2.model.Primitive primitive, String value) throws HL7Exception {
        if (!value.isEmpty()) {
            primitive.setValue(value);
        }
    }

    private static void number(ca.uhn.hl7v2.model.Primitive primitive, int value) throws HL7Exception {
        if (value > 0) {
            primitive.setValue(Integer.toString(value));
        }
    }

    private static AcknowledgmentCode commitCode(AcknowledgmentCode outcome) {
        return switch (outcome) {
            case AA, CA -> AcknowledgmentCode.CA;
            case AE, CE -> AcknowledgmentCode.CE;
            default -> AcknowledgmentCode.CR;
        };
    }

    /** HL7 table 0155: AL always, NE never, ER only on error, SU only on success; empty means AL. */
    private static boolean wanted(String acceptAckType, boolean success) {
        return switch (acceptAckType) {
            case "NE" -> false;
            case "ER" -> !success;
            case "SU" -> success;
            default -> true;
        };
    }

    private static String truncate(String text) {
        return text.length() <= MSA3_LENGTH ? text : text.substring(0, MSA3_LENGTH);
    }
}
