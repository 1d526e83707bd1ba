package hl7lake.catalog;

import java.util.List;

/**
 * The global patient a message belongs to: its uuid (null when the message names no identifier),
 * whether this message created it, and any other known uuids its identifiers already pointed to,
 * which are recorded as a conflict and never merged.
 */
public record PatientLink(String uuid, boolean created, List<String> conflictingUuids) {

    public static final PatientLink NONE = new PatientLink(null, false, List.of());

    public boolean conflict() {
        return !conflictingUuids.isEmpty();
    }
}
