package hl7lake.api;

import hl7lake.catalog.CatalogTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Replays the errors of a span of days, each as {@code POST /api/errors/{id}/replay} does
 * ({@link Replayer}: claimed once per error, linked both ways, a second replay answers the first
 * result), for the {@code replay} command. The errors are read a page at a time from the errors
 * table's {@code day_index}, a Query per day (never a Scan), optionally only one HL7 code.
 * <p>
 * A run never replays its own results: only errors received before it began are read, and an error
 * that is itself a replay's result ({@code replay_of}, made by this run or an earlier one) is counted,
 * not replayed: its bytes are those of the error it came from, whose replay already answered. So a
 * second run over the same days answers every error with its first result and catalogs nothing.
 * Prints ids, codes and counts only.
 */
public final class ErrorReplays {

    /** How many errors a Query reads at a time. */
    static final int PAGE = 100;

    /** What a run did; {@code failed}: errors that could not be replayed (storage), left as they were. */
    public record Result(long seen, long accepted, long rejectedAgain, long replayedBefore, long replayResults, long failed) {

        /** Every error replayed or answered (whatever the outcome). */
        public boolean complete() {
            return failed == 0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d errors seen: %d accepted, %d rejected again (each a new error), "
                    + "%d replayed before (their first result answered), %d themselves a replay's result (not replayed), "
                    + "%d could not be replayed", seen, accepted, rejectedAgain, replayedBefore, replayResults, failed);
        }
    }

    private final CatalogReader catalog;
    private final CatalogTables tables;
    private final Replayer replayer;
    private final AuditLog audit;
    private final String subject;
    private final Clock clock;

    /** {@code audit}: where each replay is recorded, as the HTTP replay records it, {@code subject} as the one who asked. */
    public ErrorReplays(DynamoDbClient dynamo, CatalogTables tables, Replayer replayer, AuditLog audit, String subject,
                        Clock clock) {
        this.catalog = new CatalogReader(dynamo, tables);
        this.tables = tables;
        this.replayer = replayer;
        this.audit = audit;
        this.subject = subject;
        this.clock = clock;
    }

    /**
     * Replays the errors received on the days {@code from} to {@code to} (UTC), only those of HL7 code
     * {@code code} when not null; progress on {@code err} every {@code progressEvery}. A day that cannot
     * be read, or an error that cannot be replayed, is named and counted as failed; the run goes on.
     */
    public Result run(LocalDate from, LocalDate to, Integer code, PrintStream err, Duration progressEvery) {
        // errors received up to the second the run began (a whole-second instant sorts after every instant
        // of that second): the run's own new errors come after, and are also known by their ids
        String until = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Set<String> produced = new HashSet<>();
        Counts counts = new Counts();
        Instant nextProgress = clock.instant().plus(progressEvery);
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            String token = null;
            do {
                CatalogReader.Page page;
                try {
                    page = catalog.days(tables.errors(), day, day, new CatalogReader.Span(day.toString(), until), PAGE,
                            token, code == null ? null : "code", code == null ? null : AttributeValue.fromN(code.toString()));
                } catch (ApiProblem.BadRequest e) {
                    throw new IllegalStateException("a page token of the errors table's day_index was refused", e);
                } catch (RuntimeException e) {
                    err.printf(Locale.ROOT, "replay: %s: the errors of the day could not be read (%s); run again for that day%n",
                            day, e.getClass().getSimpleName());
                    counts.failed++;
                    break;
                }
                for (Map<String, AttributeValue> item : page.items()) {
                    replay(item, produced, counts, err);
                    if (!clock.instant().isBefore(nextProgress)) {
                        err.printf(Locale.ROOT, "replay: %s: %s%n", day, counts.result());
                        nextProgress = clock.instant().plus(progressEvery);
                    }
                }
                token = page.next();
            } while (token != null);
        }
        return counts.result();
    }

    private void replay(Map<String, AttributeValue> item, Set<String> produced, Counts counts, PrintStream err) {
        String errorId = item.get("error_id").s();
        counts.seen++;
        if (produced.contains(errorId) || item.containsKey("replay_of")) {
            counts.replayResults++;
            return;
        }
        try {
            Map<String, Object> result = replayer.replay(errorId);
            String messageId = (String) result.get("message_id");
            produced.add(messageId);
            audit.append(subject, "replay command", null, Map.of("error_ids", List.of(errorId),
                    "message_ids", List.of(messageId)), "command line", null);
            if (Boolean.TRUE.equals(result.get("replayed_before"))) {
                counts.replayedBefore++;
            } else if ("accepted".equals(result.get("outcome"))) {
                counts.accepted++;
            } else {
                counts.rejectedAgain++;
                err.printf(Locale.ROOT, "replay: error %s rejected again: new error %s, code %s%n", errorId, messageId,
                        result.get("code"));
            }
        } catch (ApiProblem.NotFound | RuntimeException e) {
            counts.failed++;
            err.printf(Locale.ROOT, "replay: error %s could not be replayed and recorded (%s); run again (a replay done answers as replayed before)%n", errorId,
                    e.getClass().getSimpleName());
        }
    }

    private static final class Counts {
        long seen;
        long accepted;
        long rejectedAgain;
        long replayedBefore;
        long replayResults;
        long failed;

        Result result() {
            return new Result(seen, accepted, rejectedAgain, replayedBefore, replayResults, failed);
        }
    }
}
