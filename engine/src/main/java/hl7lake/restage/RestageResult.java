package hl7lake.restage;

import java.util.Locale;

/**
 * What a restage did: messages read from the catalog, of them rewritten (of which moved from an older
 * key), already current, no longer converting (left as they were), failed (storage, a missing or
 * altered raw object); and how long it took.
 */
public record RestageResult(long read, long rewritten, long moved, long unchanged, long noLongerConvert, long failed,
                            double seconds) {

    /** Rewritten: what a second run over the same days reports 0 of. */
    public long changed() {
        return rewritten;
    }

    /** Every message read was restaged or already current. */
    public boolean complete() {
        return noLongerConvert == 0 && failed == 0;
    }

    public double rate() {
        return seconds <= 0 ? 0 : read / seconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d messages read: %,d rewritten (%,d moved from an older key), %,d already current, "
                + "%,d no longer convert, %,d failed; %.1f s, %.0f msgs/s", read, rewritten, moved, unchanged,
                noLongerConvert, failed, seconds, rate());
    }
}
