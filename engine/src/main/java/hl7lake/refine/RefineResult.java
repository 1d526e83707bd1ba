package hl7lake.refine;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one compaction of a day did: its run id (null when the day had nothing to compact), the
 * staging documents it compacted and their bytes, rows per table, the bytes of the Parquet files
 * written, files of replaced runs removed, seconds, and how many of the documents were not read again
 * because the previous run had read them unchanged (their rows reused).
 */
public record RefineResult(LocalDate day, String runId, long documents, long stagingBytes, Map<String, Long> rows,
                           long refinedBytes, int removed, double seconds, long reused) {

    @Override
    public String toString() {
        if (runId == null) {
            return day + ": no staging documents, nothing to compact";
        }
        return String.format(Locale.ROOT, "%s: %,d staging documents (%,d bytes; %,d read, %,d unchanged since the previous run) "
                        + "-> %,d bytes of Parquet in %.1f s (%.0f msgs/s), run %s; rows: %s; %d replaced files removed", day, documents,
                stagingBytes, documents - reused, reused, refinedBytes, seconds, documents / Math.max(seconds, 1e-9), runId,
                rows.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")), removed);
    }
}
