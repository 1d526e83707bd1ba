package hl7lake.cli;

import hl7lake.api.AuditLog;
import hl7lake.api.ErrorReplays;
import hl7lake.api.Replayer;
import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.config.EngineSettings;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.ingest.IngestSteps;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code replay [--mode local|aws] --from DAY [--to DAY] [--code CODE]}: replays the errors of those
 * days (UTC days of arrival), only those of one HL7 table 0357 code when given, each as
 * {@code POST /api/errors/{id}/replay} does, through the same {@link Replayer} and the pipeline's steps
 * under the validation profile in force now ({@link ErrorReplays}). The lake is found as
 * {@code restage} finds it (local: the running engine's embedded servers, or the lake under the data
 * directory opened for the run; aws: the configured bucket and tables). Each replay is written to the
 * audit log, its subject the user running the command. Progress and a summary on stderr: ids, codes
 * and counts only. Exit status: 0 every error replayed or answered (accepted or rejected again), 1 some
 * could not be (storage; named), 2 usage.
 */
public final class ReplayCommand {

    static final String USAGE = "usage: replay [--mode local|aws] --from YYYY-MM-DD [--to YYYY-MM-DD] [--code CODE]";

    private ReplayCommand() {
    }

    public static int run(String[] args, EngineSettings settings, PrintStream err) throws Exception {
        Options options;
        try {
            options = Options.parse(args, "--mode", "--from", "--to", "--code");
        } catch (Options.Usage e) {
            err.println("replay: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        LocalDate from;
        LocalDate to;
        Integer code = null;
        try {
            from = LocalDate.parse(options.text("--from", ""));
            to = options.has("--to") ? LocalDate.parse(options.text("--to", null)) : from;
        } catch (DateTimeParseException e) {
            err.println("replay: --from and --to are days, YYYY-MM-DD");
            err.println(USAGE);
            return 2;
        }
        if (to.isBefore(from)) {
            err.println("replay: --to " + to + " is before --from " + from);
            return 2;
        }
        if (options.has("--code")) {
            if (!options.text("--code", null).matches("\\d{1,4}")) {
                err.println("replay: --code is an HL7 table 0357 code, a number such as 102");
                return 2;
            }
            code = Integer.valueOf(options.text("--code", null));
        }
        String mode = RestageCommand.Lake.mode(options, settings, "replay", err);
        if (mode == null) {
            return 2;
        }
        try (RestageCommand.Lake lake = mode.equals("local") ? RestageCommand.Lake.local(settings, err, "replay")
                : RestageCommand.Lake.aws(settings)) {
            String profile = settings.get("hl7lake.validation.profile");
            MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.of(profile),
                    Charset.forName(settings.get("hl7lake.validation.charset-fallback")));
            Clock clock = Clock.systemUTC();
            MessageIndex index = new MessageIndex(lake.dynamo, lake.tables);
            Duration deadline = Duration.ofSeconds(settings.number("hl7lake.storage.deadline-seconds"));
            IngestSteps steps = new IngestSteps(converter, lake.writer, index,
                    new PatientCrossReference(lake.dynamo, lake.tables, clock),
                    new CatalogLimits(settings.number("hl7lake.catalog.max-patient-identifiers")), deadline);
            Replayer replayer = new Replayer(steps, index, lake.s3, lake.writer.bucket(), deadline, clock);
            String subject = "command:" + System.getProperty("user.name", "unknown");
            err.printf(Locale.ROOT, "replay: the errors of %s to %s%s from the error zone of %s, under the %s profile%n",
                    from, to, code == null ? "" : " with code " + code, lake.writer.uri(""), profile.trim().toLowerCase(Locale.ROOT));
            ErrorReplays.Result result = new ErrorReplays(lake.dynamo, lake.tables, replayer,
                    new AuditLog(lake.s3, lake.writer.bucket(), clock), subject, clock)
                    .run(from, to, code, err, Duration.ofSeconds(5));
            err.println("replay: done: " + result);
            if (!result.complete()) {
                err.println("replay: the errors named above were left as they were (or replayed but not recorded); "
                        + "run the command again for those days");
            }
            return result.complete() ? 0 : 1;
        }
    }
}
