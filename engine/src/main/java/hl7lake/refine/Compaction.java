package hl7lake.refine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A compaction of a day under its claim ({@link RefineClaims}): what the {@code refine} command and
 * the scheduled route ({@code routes/refine.yaml}) run. The route's {@link #scheduled()} compacts
 * today (UTC) and, until a run that started after it ended has finished, the day before: the final
 * run of a day happens on the first tick after midnight.
 */
public final class Compaction {

    private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);
    /** A run of a past day counts as final when it started this long after the day ended (messages in flight at midnight are stored by then). */
    static final Duration SETTLED = Duration.ofMinutes(1);

    private final Refinery refinery;
    private final RefineClaims claims;
    private final Clock clock;
    private final String owner;

    public Compaction(Refinery refinery, RefineClaims claims, Clock clock, String owner) {
        this.refinery = refinery;
        this.claims = claims;
        this.clock = clock;
        this.owner = owner;
    }

    /** Compacts {@code day} if it can claim it, reusing the rows of documents unchanged since its current run; empty when another compaction holds the day. */
    public Optional<RefineResult> day(LocalDate day, PrintStream progress, Duration every) throws IOException, InterruptedException {
        return day(day, progress, every, false);
    }

    /** As {@link #day(LocalDate, PrintStream, Duration)}; {@code full}: every document read, nothing reused. */
    public Optional<RefineResult> day(LocalDate day, PrintStream progress, Duration every, boolean full)
            throws IOException, InterruptedException {
        Optional<RefineClaims.Claim> claim = claims.take(day, owner);
        if (claim.isEmpty()) {
            return Optional.empty();
        }
        long started = clock.millis();
        RefineResult result = null;
        try {
            result = refinery.refine(day, progress, every, full);
            return Optional.of(result);
        } finally {
            claims.release(claim.get(), started, result == null ? null : result.runId() == null ? "none" : result.runId());
        }
    }

    /** The route's tick: today, and the previous day until it has had its final run. Never throws: the next tick tries again. */
    public void scheduled() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate yesterday = today.minusDays(1);
        long settled = today.atStartOfDay().toInstant(ZoneOffset.UTC).plus(SETTLED).toEpochMilli();
        if (clock.millis() >= settled && claims.lastStarted(yesterday) < settled) {
            once(yesterday);
        }
        once(today);
    }

    private void once(LocalDate day) {
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            Optional<RefineResult> result = day(day, quiet, Duration.ofHours(1));
            if (result.isEmpty()) {
                LOG.info("refine: {} is being compacted by another instance; skipped", day);
            } else {
                LOG.info("refine: {}", result.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the exception's class only: a SQL engine's or the SDK's message can quote values of the documents
            LOG.warn("refine: {} not compacted ({}); the previous run stays current, the next tick tries again", day,
                    e.getClass().getName());
        }
    }
}
