package hl7lake.hl7;

import java.util.List;

/**
 * The envelope of a stream once split: FHS-11 and each BHS-11 control id, how many messages and
 * batches it held, and what did not add up (a BTS-1 or FTS-1 count that does not match, a header
 * without its trailer). Problems are counts and positions, never message content.
 */
public record BatchSummary(String fileControlId, List<String> batchControlIds, int messages, int batches,
                           List<String> problems) {
}
