package hl7lake.cli;

import hl7lake.config.EngineSettings;
import hl7lake.lake.MessageIds;
import hl7lake.refine.Compaction;
import hl7lake.refine.RefineConfiguration;
import hl7lake.refine.RefineResult;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code refine [--mode local|aws] --day DAY [--to DAY] [--full]}: compacts the staging partitions of
 * those days (UTC days of arrival) into the refined zone's tables, one day after the other, each under
 * the day's claim (a day another compaction holds is skipped and named); progress on stderr. A day's
 * documents unchanged since its current run are not read again (their rows are reused) unless
 * {@code --full}: every document read, as after a change of the flattening that kept its version. The lake is
 * found as {@code restage} finds it (local: the running engine's embedded servers, or the lake under
 * the data directory opened for the run; aws: the configured bucket and tables). Exit status: 0 every
 * day compacted, 1 a day was held by another compaction or failed, 2 usage.
 */
public final class RefineCommand {

    static final String USAGE = "usage: refine [--mode local|aws] --day YYYY-MM-DD [--to YYYY-MM-DD] [--full]";

    private RefineCommand() {
    }

    public static int run(String[] args, EngineSettings settings, PrintStream err) throws Exception {
        Options options;
        try {
            options = Options.parse(args, java.util.List.of("--mode", "--day", "--to"), java.util.List.of("--full"));
        } catch (Options.Usage e) {
            err.println("refine: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        LocalDate from;
        LocalDate to;
        try {
            from = LocalDate.parse(options.text("--day", ""));
            to = options.has("--to") ? LocalDate.parse(options.text("--to", null)) : from;
        } catch (DateTimeParseException e) {
            err.println("refine: --day and --to are days, YYYY-MM-DD");
            err.println(USAGE);
            return 2;
        }
        if (to.isBefore(from)) {
            err.println("refine: --to " + to + " is before --day " + from);
            return 2;
        }
        String mode = RestageCommand.Lake.mode(options, settings, "refine", err);
        if (mode == null) {
            return 2;
        }
        int status = 0;
        try (RestageCommand.Lake lake = mode.equals("local") ? RestageCommand.Lake.local(settings, err, "refine") : RestageCommand.Lake.aws(settings)) {
            Compaction compaction = RefineConfiguration.compaction(lake.s3, lake.dynamo, lake.tables, lake.writer.bucket(),
                    settings.number("hl7lake.refine.threads"), settings.get("hl7lake.refine.duckdb-memory"),
                    settings.number("hl7lake.refine.keep-minutes"), settings.number("hl7lake.refine.lease-seconds"),
                    settings.optional("hl7lake.refine.temp-dir"), "refine-command-" + MessageIds.next());
            for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                err.println("refine: " + day + ": reading the staging zone of " + lake.writer.uri(""));
                try {
                    Optional<RefineResult> result = compaction.day(day, err, Duration.ofSeconds(5), options.has("--full"));
                    if (result.isEmpty()) {
                        err.println("refine: " + day + " is being compacted by another run (an engine's schedule?); skipped, try again later");
                        status = 1;
                    } else {
                        err.println("refine: done: " + result.get());
                    }
                } catch (RuntimeException e) {
                    err.println("refine: " + day + " failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "); the previous run of that day stays current");
                    status = 1;
                }
            }
        }
        return status;
    }
}
