package hl7lake.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v25.datatype.CX;
import ca.uhn.hl7v2.model.v25.datatype.HD;
import ca.uhn.hl7v2.model.v25.segment.PID;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the catalog records of an accepted message. MSH values are as sent (escapes intact), so
 * sender + control id match what the sender will put in a resend. Patient identifiers come from
 * PID-2 and every PID-3 repetition of the message's first PID, as
 * {@code <assigning authority>#<identifier type>#<id>}.
 */
public record MessageMetadata(String controlId, String sendingApplication, String sendingFacility,
                              String receivingApplication, String receivingFacility,
                              String messageType, String triggerEvent, String structure, String version,
                              String messageTime, String processingId, String charset,
                              List<String> patientIdentifiers) {

    private static final String HL7_NULL = "\"\"";

    public static MessageMetadata of(Message message, MshHeader header, Charset charset) throws HL7Exception {
        return new MessageMetadata(header.controlId(), header.sendingApplication(), header.sendingFacility(),
                header.receivingApplication(), header.receivingFacility(), header.messageType(),
                header.triggerEvent(), Hl7Parser.structureOf(message, header), header.versionId(), header.messageTime(),
                MshHeader.split(header.processingId(), header.componentSeparator())[0], charset.name(),
                patientIdentifiers(firstPid(message)));
    }

    /** A site-specific message type (MSH-9.1 starting with Z), kept with a generic structure. */
    public boolean siteSpecific() {
        return Hl7Parser.isSiteSpecificType(messageType);
    }

    private static List<String> patientIdentifiers(PID pid) throws HL7Exception {
        if (pid == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (Type type : pid.getField(2)) {
            add(ids, (CX) type);
        }
        for (Type type : pid.getField(3)) {
            add(ids, (CX) type);
        }
        return distinct(ids);
    }

    /**
     * The distinct items in their first order, through a hash set: n identifiers cost O(n) comparisons,
     * not O(n²) as a list's contains() did (a PID-3 repeated 200,000 times took 74 s).
     */
    static <T> List<T> distinct(Iterable<T> items) {
        Set<T> seen = new LinkedHashSet<>();
        items.forEach(seen::add);
        return List.copyOf(seen);
    }

    private static void add(List<String> ids, CX cx) {
        String id = value(cx.getIDNumber().getValue());
        if (!id.isEmpty()) {
            ids.add(authority(cx.getAssigningAuthority()) + "#" + value(cx.getIdentifierTypeCode().getValue()) + "#" + id);
        }
    }

    private static String authority(HD hd) {
        String namespace = value(hd.getNamespaceID().getValue());
        return namespace.isEmpty() ? value(hd.getUniversalID().getValue()) : namespace;
    }

    private static String value(String value) {
        return value == null || HL7_NULL.equals(value) ? "" : value;
    }

    /** The first PID in message order; found with getAll so that no absent structure is created. */
    private static PID firstPid(Group group) throws HL7Exception {
        for (String name : group.getNames()) {
            for (Structure structure : group.getAll(name)) {
                if (structure instanceof PID pid) {
                    return pid;
                }
                if (structure instanceof Group child) {
                    PID found = firstPid(child);
                    if (found != null) {
                        return found;
                    }
                } else if (structure instanceof Segment) {
                    break;
                }
            }
        }
        return null;
    }
}
