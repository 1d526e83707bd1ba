package hl7lake.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Location;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v25.segment.MSH;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.ModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * The application's one HAPI context and what it parses: every version from 2.1 to 2.8.x into
 * HAPI's canonical v2.5 model, with v2.5's event → structure map (ADT^A04 → ADT_A01,
 * ADT^A31 → ADT_A05), so each structure lands on one JSON schema. Parsing never validates: data
 * type rules are applied afterwards by profile ({@link DataTypeRules}).
 */
public final class Hl7Parser {

    /** HL7 table 0076 (v2.5): message types, to tell an unknown type (200) from an unknown event (201). */
    private static final Set<String> MESSAGE_TYPES = Set.of((
            "ACK ADR ADT BAR BPS BRP BRT BTS CRM CSU DFT DOC DSR EAC EAN EAR EDR EQQ ERP ESR ESU INR INU LSR "
            + "LSU MDM MFD MFK MFN MFQ MFR NMD NMQ NMR OMB OMD OMG OMI OML OMN OMP OMS ORB ORD ORF ORG ORI "
            + "ORL ORM ORN ORP ORR ORS ORU OSQ OSR OUL PEX PGL PIN PMU PPG PPP PPR PPT PPV PRR PTR QBP QCK "
            + "QCN QRY QSB QSX QVR RAR RAS RCI RCL RDE RDR RDS RDY REF RER RGR RGV ROR RPA RPI RPL RPR RQA "
            + "RQC RQI RQP RRA RRD RRE RRG RRI RSP RTB SIU SPQ SQM SQR SRM SRR SSR SSU SUR TBR TCR TCU UDM "
            + "VQQ VXQ VXR VXU VXX").split(" "));

    private final HapiContext context;
    private final PipeParser parser;
    private final Map<String, Boolean> knownStructures = new ConcurrentHashMap<>();
    /**
     * HAPI's PipeParser fills its cache of structure definitions (a plain HashMap per message class)
     * on a structure's first parse, unsynchronized: two threads parsing a structure for the first
     * time at once can read a half-built definition (NullPointerException inside HAPI, a valid
     * message answered AR). So a message whose MSH-9/MSH-12 text has not been parsed before is
     * parsed alone (write lock); every later one in parallel (read lock), when HAPI only reads that
     * cache. See docs/decisions.md "HAPI's parser across threads".
     */
    private final ReadWriteLock firstParses = new ReentrantReadWriteLock();
    private final Set<String> parsedTypes = ConcurrentHashMap.newKeySet();

    public Hl7Parser() {
        context = new DefaultHapiContext();
        context.setModelClassFactory(new CanonicalModelClassFactory("2.5"));
        context.setValidationContext(ValidationContextFactory.noValidation());
        context.getParserConfiguration().setValidating(false);
        parser = context.getPipeParser();
    }

    public HapiContext context() {
        return context;
    }

    /**
     * Parses one message whose text has CR between segments. A MSH-9.3 that names no v2.5 structure
     * (older versions had a few) is set aside for the parse, so that the event decides the structure,
     * and put back afterwards.
     */
    public Message parse(String er7, MshHeader header) throws Hl7Rejection {
        String explicitStructure = header.messageStructure();
        boolean setAside = !explicitStructure.isEmpty() && !isV25Structure(explicitStructure);
        String text = setAside ? withoutStructure(er7, header) : er7;
        String typeKey = typeKey(text, header.fieldSeparator());
        boolean first = !parsedTypes.contains(typeKey);
        Lock lock = first ? firstParses.writeLock() : firstParses.readLock();
        Message message;
        lock.lock();
        try {
            message = parser.parse(text);
            if (first) {
                parsedTypes.add(typeKey);
            }
        } catch (HL7Exception e) {
            Hl7Rejection obx = ObxValueTypes.firstProblem(er7, header, context.getModelClassFactory());
            throw obx != null ? obx : fromHapi(e, header);
        } finally {
            lock.unlock();
        }
        if (message instanceof GenericMessage && !isSiteSpecificType(header.messageType())) {
            throw unsupported(header);
        }
        if (setAside) {
            try {
                ((MSH) message.get("MSH")).getMessageType().getMessageStructure().setValue(explicitStructure);
            } catch (HL7Exception e) {
                throw fromHapi(e, header);
            }
        }
        return message;
    }

    /**
     * A site-specific message type (HL7 reserves MSH-9.1 codes starting with Z for local use): three
     * letters or digits, the first a Z. Such a message is kept with HAPI's generic structure.
     */
    public static boolean isSiteSpecificType(String messageType) {
        return SITE_SPECIFIC_TYPE.matcher(messageType).matches();
    }

    /**
     * The structure a message is filed under: HAPI's v2.5 structure name, or for a site-specific type
     * {@code <MSH-9.1>_<MSH-9.2>} (only letters and digits, as the lake's keys need).
     */
    public static String structureOf(Message message, MshHeader header) {
        if (!(message instanceof GenericMessage)) {
            return message.getName();
        }
        String trigger = header.triggerEvent();
        return TRIGGER.matcher(trigger).matches() ? header.messageType() + "_" + trigger : header.messageType();
    }

    private static final Pattern SITE_SPECIFIC_TYPE = Pattern.compile("Z[A-Z0-9]{2}");
    private static final Pattern TRIGGER = Pattern.compile("[A-Z0-9]{1,3}");

    private boolean isV25Structure(String structure) {
        return knownStructures.computeIfAbsent(structure, name -> {
            try {
                ModelClassFactory factory = context.getModelClassFactory();
                Class<? extends Message> type = factory.getMessageClass(name, "2.5", true);
                return type != null && !GenericMessage.class.isAssignableFrom(type);
            } catch (HL7Exception e) {
                return false;
            }
        });
    }

    /**
     * What decides the message class HAPI picks and so the structure definition it caches: MSH-2,
     * MSH-9 and MSH-12 exactly as written (MSH-1 is the separator itself, so they are the 1st, 8th
     * and 11th separated pieces of the first segment).
     */
    static String typeKey(String er7, char fieldSeparator) {
        int end = er7.indexOf('\r');
        String msh = end < 0 ? er7 : er7.substring(0, end);
        StringBuilder key = new StringBuilder(32);
        int field = 0;
        for (int i = 0; i < msh.length(); i++) {
            char c = msh.charAt(i);
            if (c == fieldSeparator) {
                field++;
                if (field == 2 || field == 9 || field == 12) {
                    key.append(fieldSeparator);
                } else if (field > 12) {
                    break;
                }
            } else if (field == 1 || field == 8 || field == 11) {
                key.append(c);
            }
        }
        return key.toString();
    }

    /** The text with MSH-9's third component (and its separator) removed; everything else byte for byte. */
    private static String withoutStructure(String er7, MshHeader header) {
        String structure = header.componentSeparator() + header.messageStructure();
        String typeAndEvent = header.fieldSeparator() + header.messageType() + header.componentSeparator()
                + header.triggerEvent();
        int at = er7.indexOf(typeAndEvent + structure);
        if (at < 0) {
            return er7;
        }
        int cut = at + typeAndEvent.length();
        return er7.substring(0, cut) + er7.substring(cut + structure.length());
    }

    private static Hl7Rejection unsupported(MshHeader header) {
        if (!MESSAGE_TYPES.contains(header.messageType())) {
            return new Hl7Rejection(ErrorCode.UNSUPPORTED_MESSAGE_TYPE, new ErrorLocation("MSH", 1, 9, 0, 1, 0),
                    "MSH-9.1 message type is not one of HL7 table 0076");
        }
        return new Hl7Rejection(ErrorCode.UNSUPPORTED_EVENT_CODE, new ErrorLocation("MSH", 1, 9, 0, 2, 0),
                "MSH-9.2 trigger event has no message structure in HL7 v2.5 for this message type");
    }

    /**
     * HAPI's exception texts quote values from the message, so only its code and the segment it
     * names are kept.
     */
    private static Hl7Rejection fromHapi(HL7Exception e, MshHeader header) {
        ErrorCode code = ErrorCode.errorCodeFor(e.getErrorCode());
        if (code == null || code == ErrorCode.MESSAGE_ACCEPTED) {
            code = ErrorCode.SEGMENT_SEQUENCE_ERROR;
        }
        if (code == ErrorCode.UNSUPPORTED_MESSAGE_TYPE || code == ErrorCode.UNSUPPORTED_EVENT_CODE) {
            // HAPI could not even pick a structure for MSH-9 (e.g. a template's unfilled "{}"): say which part
            return unsupported(header);
        }
        Location where = e.getLocation();
        ErrorLocation location = where == null || where.getSegmentName() == null
                ? ErrorLocation.message()
                : ErrorLocation.segment(where.getSegmentName(), Math.max(1, where.getSegmentRepetition()));
        return new Hl7Rejection(code, location, "the HL7 parser could not read the message structure ("
                + e.getClass().getSimpleName() + ")");
    }
}
