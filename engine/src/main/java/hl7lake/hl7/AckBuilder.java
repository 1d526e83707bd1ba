package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Severity;
import ca.uhn.hl7v2.model.v25.datatype.CWE;
import ca.uhn.hl7v2.model.v25.datatype.ERL;
import ca.uhn.hl7v2.model.v25.message.ACK;
import ca.uhn.hl7v2.model.v25.segment.ERR;
import ca.uhn.hl7v2.model.v25.segment.MSA;
import ca.uhn.hl7v2.model.v25.segment.MSH;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.Escape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds our acknowledgements of an inbound message: a new MSH-7 and MSH-10; sender and receiver
 * swapped; {@code ACK^<trigger>^ACK}; MSH-11/12 and MSH-18 copied (MSH-12 only when it is a version
 * we support, else 2.5); MSA-2 = the inbound MSH-10; on an error an ERR with ERR-2 location, ERR-3
 * code (table 0357), ERR-4 severity, and the reason in MSA-3 (and ERR-1 for receivers before v2.5).
 * Encoded with the inbound delimiters (MSH-2 as sent, a fifth truncation character included).
 *
 * <p>Original mode (MSH-15 and MSH-16 empty): one ACK, AA/AE/AR. Enhanced mode, as HL7 v2.5 chapter 2
 * describes it: an accept (commit) acknowledgement as MSH-15 asks, then an application
 * acknowledgement as MSH-16 asks (see {@link #answers}); docs/decisions.md says how our outcomes map.
 *
 * <p>Whatever fails while building an ACK, one is still sent: a minimal MSH/MSA/ERR in the default
 * delimiters ({@link #minimal}).
 */
public final class AckBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(AckBuilder.class);
    private static final DateTimeFormatter HL7_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSZ");
    private static final Set<String> BEFORE_V25 = Set.of("2.1", "2.2", "2.3", "2.3.1", "2.4");
    private static final int MSA3_LENGTH = 80;
    private static final String DEFAULT_ENCODING = "^~\\&";
    /** Stand-ins for encoding characters a 2- or 3-character MSH-2 lacks (HAPI encodes with four). */
    private static final String SPARE_DELIMITERS = "^~\\&#!$%*+?@_";

    private final HapiContext context;
    private final Clock clock;

    public AckBuilder(HapiContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    /**
     * Every acknowledgement the sender asked for, in the order to send them, for an outcome expressed
     * in original-mode terms: AA stored; AE the content is wrong (stored in the error zone); AR not
     * taken ({@code rejection}, required for AE and AR, says why: 200-203 type, event, processing id or
     * version; 207 not stored).
     *
     * <p>Original mode: that one ACK. Enhanced mode: the accept acknowledgement says whether the message
     * was committed to safe storage: CA (stored, also when its content is then rejected), CR (a type,
     * event, processing id or version not taken: 200-203), CE (not stored: 207), sent when MSH-15 asks
     * (AL always, NE never, ER on CE/CR, SU on CA; empty: AL). The application acknowledgement follows
     * only for a committed message: AA or AE, sent when MSH-16 asks (same table; empty: AL).
     */
    public List<Ack> answers(MshHeader inbound, AcknowledgmentCode outcome, Hl7Rejection rejection) {
        if (!inbound.enhancedMode()) {
            return List.of(ack(inbound, outcome, rejection));
        }
        List<Ack> answers = new ArrayList<>(2);
        AcknowledgmentCode commit = commitCode(outcome, rejection);
        boolean committed = commit == AcknowledgmentCode.CA;
        if (wanted(inbound.acceptAckType(), committed)) {
            answers.add(ack(inbound, commit, committed ? null : rejection));
        }
        if (committed && wanted(inbound.applicationAckType(), outcome == AcknowledgmentCode.AA)) {
            answers.add(ack(inbound, outcome == AcknowledgmentCode.AA ? AcknowledgmentCode.AA : AcknowledgmentCode.AE,
                    outcome == AcknowledgmentCode.AA ? null : rejection));
        }
        return answers;
    }

    /**
     * One ACK with exactly this code, in the inbound delimiters; the minimal one when that cannot be
     * built. {@code rejection} is carried (ERR, MSA-3) for any code but AA and CA.
     */
    public Ack ack(MshHeader inbound, AcknowledgmentCode code, Hl7Rejection rejection) {
        String controlId = ControlIds.next();
        try {
            ACK ack = new ACK(context.getModelClassFactory());
            ack.setParser(context.getPipeParser());
            String encoding = hapiEncoding(inbound);
            header(ack.getMSH(), inbound, encoding, controlId, code);
            MSA msa = ack.getMSA();
            msa.getAcknowledgmentCode().setValue(code.name());
            msa.getMessageControlID().parse(inbound.controlId());
            if (rejection != null && code != AcknowledgmentCode.AA && code != AcknowledgmentCode.CA) {
                msa.getTextMessage().setValue(truncate(rejection.reason()));
                error(ack.getERR(), rejection, BEFORE_V25.contains(inbound.versionId()));
            }
            String er7 = context.getPipeParser().encode(ack);
            if (!encoding.equals(inbound.encodingCharacters()) && inbound.encodingCharacters().length() > 4) {
                // HAPI encodes with four characters; MSH-2 goes back as sent (the v2.7 truncation character)
                er7 = "MSH" + inbound.fieldSeparator() + inbound.encodingCharacters() + er7.substring(4 + encoding.length());
            }
            return new Ack(er7, code, controlId);
        } catch (HL7Exception | RuntimeException e) {
            LOG.warn("the {} acknowledgement could not be built in the message's delimiters ({}); a minimal one is sent",
                    code, e.getClass().getSimpleName());
            return minimal(inbound, code, rejection, controlId);
        }
    }

    /**
     * An ACK assembled by hand in the default delimiters, from nothing HAPI could fail on: MSH with our
     * control id, MSA with the code and MSA-2 = the inbound MSH-10 (when it could be read), ERR with the
     * location, code and severity when there is a rejection.
     */
    Ack minimal(MshHeader inbound, AcknowledgmentCode code, Hl7Rejection rejection, String controlId) {
        String msa2 = defaultEscaped(inbound.controlId(), inbound);
        StringBuilder er7 = new StringBuilder(256);
        er7.append("MSH|").append(DEFAULT_ENCODING).append("|HL7LAKE||||").append(HL7_TIME.format(ZonedDateTime.now(clock)))
                .append("||ACK|").append(controlId).append("|P|2.5");
        if (code.name().startsWith("C") || inbound.enhancedMode()) {
            er7.append("|||NE|NE");
        }
        er7.append("\rMSA|").append(code.name()).append('|').append(msa2);
        boolean error = rejection != null && code != AcknowledgmentCode.AA && code != AcknowledgmentCode.CA;
        if (error) {
            er7.append('|').append(plain(truncate(rejection.reason())));
            ErrorLocation where = rejection.location();
            er7.append("\rERR||").append(plain(where.segment()));
            if (where.segmentSequence() > 0 || where.field() > 0) {
                er7.append('^').append(where.segmentSequence() > 0 ? where.segmentSequence() : "")
                        .append('^').append(where.field() > 0 ? where.field() : "");
            }
            er7.append('|').append(rejection.code().getCode()).append('^').append(plain(rejection.code().getMessage()))
                    .append("^HL70357|").append(Severity.ERROR.getCode());
        }
        return new Ack(er7.append('\r').toString(), code, controlId, true);
    }

    /** MSH-10 as text in the default delimiters: unescaped with the inbound's, escaped with ours. */
    private static String defaultEscaped(String value, MshHeader inbound) {
        if (value.isEmpty()) {
            return "";
        }
        String text = value;
        try {
            if (inbound.encodingCharacters().length() >= 4) {
                text = Escape.unescape(value, new EncodingCharacters(inbound.fieldSeparator(), inbound.encodingCharacters()));
            }
        } catch (RuntimeException e) {
            text = value;
        }
        return Escape.escape(text.replace('\r', ' ').replace('\n', ' '), EncodingCharacters.defaultInstance());
    }

    /** Our own texts carry no delimiters; this makes sure of it. */
    private static String plain(String text) {
        return text.replaceAll("[|^~\\\\&\r\n]", " ");
    }

    /**
     * The four encoding characters HAPI builds the ACK with: MSH-2 as sent when it has four; its first
     * four when it has five (the fifth, v2.7's truncation character, plays no part in encoding);
     * completed with unused characters when it has fewer (the ACK then announces all four).
     */
    static String hapiEncoding(MshHeader inbound) {
        String sent = inbound.encodingCharacters();
        if (sent.length() >= 4) {
            return sent.substring(0, 4);
        }
        StringBuilder encoding = new StringBuilder(sent);
        for (int i = 0; encoding.length() < 4 && i < SPARE_DELIMITERS.length(); i++) {
            char c = SPARE_DELIMITERS.charAt(i);
            if (c != inbound.fieldSeparator() && encoding.indexOf(String.valueOf(c)) < 0) {
                encoding.append(c);
            }
        }
        return encoding.toString();
    }

    private void header(MSH msh, MshHeader inbound, String encoding, String controlId, AcknowledgmentCode code)
            throws HL7Exception {
        msh.getFieldSeparator().setValue(String.valueOf(inbound.fieldSeparator()));
        msh.getEncodingCharacters().setValue(encoding);
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
        if (inbound.enhancedMode() || code.name().startsWith("C")) {
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

    /** The accept acknowledgement's code: CA committed (stored), CR a type/event/processing id/version not taken, CE not stored. */
    private static AcknowledgmentCode commitCode(AcknowledgmentCode outcome, Hl7Rejection rejection) {
        if (outcome == AcknowledgmentCode.AA || outcome == AcknowledgmentCode.CA) {
            return AcknowledgmentCode.CA;
        }
        ErrorCode code = rejection == null ? ErrorCode.APPLICATION_INTERNAL_ERROR : rejection.code();
        return switch (code) {
            case UNSUPPORTED_MESSAGE_TYPE, UNSUPPORTED_EVENT_CODE, UNSUPPORTED_PROCESSING_ID, UNSUPPORTED_VERSION_ID ->
                    AcknowledgmentCode.CR;
            case APPLICATION_INTERNAL_ERROR -> AcknowledgmentCode.CE;
            default -> outcome == AcknowledgmentCode.AR ? AcknowledgmentCode.CE : AcknowledgmentCode.CA;
        };
    }

    /** HL7 table 0155: AL always, NE never, ER only on error, SU only on success; empty (or anything else) means AL. */
    private static boolean wanted(String ackType, boolean success) {
        return switch (ackType) {
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
