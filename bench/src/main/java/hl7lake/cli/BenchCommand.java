package hl7lake.cli;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.parser.PipeParser;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.Er7Segments;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.ValidationProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Arrays;

/**
 * {@code bench convert}: messages per second on one thread for (a) HAPI's parse alone, validation
 * off, and (b) our whole conversion (decode, checks, parse, data type rules, JSON document with
 * meta), per input file, and their ratio. Each figure is the best of five interleaved rounds after a
 * warm-up of both, so a busy neighbour on the machine shows up as noise, not as a trend.
 * {@code --seconds} is the length of one round.
 */
public final class BenchCommand {

    /** The AWS blog's four test messages, used when they are beside the project. */
    private static final List<String> SEED = List.of(
            "../shared/seed-samples/test_er7_msg.msg1.er7", "../shared/seed-samples/test_er7_msg.msg2.er7",
            "../shared/seed-samples/test_er7_msg.msg3.er7", "../shared/seed-samples/test_er7_msg.msg4.er7");
    /** Our own equivalents (ADT^A01 v2.3 and v2.5, ADT^A31 v2.3.1, ADT^A04 v2.7) otherwise. */
    private static final List<String> OURS = List.of(
            "samples/adt-a01-v2.5-zsegment-escapes.hl7", "samples/adt-a08-v2.3-utf8.hl7",
            "samples/adt-a31-v2.3.1.hl7", "samples/adt-a04-v2.7.hl7");
    private static final String ORU = "samples/oru-r01-v2.5-many-obx.hl7";
    private static final int ROUNDS = 5;

    private BenchCommand() {
    }

    public static int run(String[] args, PrintStream out) throws Exception {
        try {
            return dispatch(args, out);
        } catch (Options.Usage e) {
            out.println("bench " + args[0] + ": " + e.getMessage());
            usage(out);
            return 2;
        }
    }

    private static int dispatch(String[] args, PrintStream out) throws Exception {
        if (args.length > 0 && args[0].equals("engine")) {
            return EngineBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("mllp")) {
            return MllpBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("http")) {
            return HttpBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("crash")) {
            return CrashBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("frozen")) {
            return FrozenBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("restage")) {
            return RestageBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("refine")) {
            return RefineBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("api")) {
            return ApiBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("startup")) {
            return StartupBench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length > 0 && args[0].equals("s3")) {
            return LocalS3Bench.run(Arrays.copyOfRange(args, 1, args.length), out);
        }
        if (args.length == 0 || !args[0].equals("convert")) {
            usage(out);
            return 2;
        }
        ConverterOptions options = ConverterOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        List<String> files = new ArrayList<>(options.files);
        if (files.isEmpty()) {
            files.addAll(SEED.stream().allMatch(f -> Files.isRegularFile(Path.of(f))) ? SEED : OURS);
            files.add(ORU);
        }
        Hl7Parser parser = new Hl7Parser();
        MessageConverter converter = new MessageConverter(parser, options.profile, options.fallbackCharset);
        PipeParser hapi = parser.context().getPipeParser();
        Receipt receipt = new Receipt("00000000-0000-7000-8000-000000000000", "bench", Instant.now(), null);
        double roundSeconds = Math.max(0.1, options.seconds);

        out.printf(Locale.ROOT, "one thread, profile %s, %s %s, %d cores%n", options.profile.name().toLowerCase(Locale.ROOT),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-48s %7s %14s %14s %7s%n", "message", "bytes", "(a) parse/s", "(b) convert/s", "b/a");
        List<Runnable[]> work = new ArrayList<>();
        List<byte[]> inputs = new ArrayList<>();
        List<Boolean> acceptedFlags = new ArrayList<>();
        for (String file : files) {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            Conversion check = converter.convert(bytes, receipt);
            String er7 = Er7Segments.normalize(new String(bytes, check.charset()), '|');
            hapi.parse(er7);
            inputs.add(bytes);
            acceptedFlags.add(check instanceof Conversion.Accepted);
            work.add(new Runnable[] {() -> parseQuietly(hapi, er7), () -> converter.convert(bytes, receipt)});
        }
        // Warm both paths on every input first, then interleave (a) and (b) rounds, so that neither
        // is measured with a JIT profile the other shaped.
        for (Runnable[] pair : work) {
            rate(roundSeconds, pair[0]);
            rate(roundSeconds, pair[1]);
        }
        double[][] best = new double[work.size()][2];
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < work.size(); i++) {
                best[i][0] = Math.max(best[i][0], rate(roundSeconds, work.get(i)[0]));
                best[i][1] = Math.max(best[i][1], rate(roundSeconds, work.get(i)[1]));
            }
        }
        for (int i = 0; i < work.size(); i++) {
            out.printf(Locale.ROOT, "%-48s %7d %14.0f %14.0f %7.2f%s%n", Path.of(files.get(i)).getFileName(),
                    inputs.get(i).length, best[i][0], best[i][1], best[i][1] / best[i][0],
                    acceptedFlags.get(i) ? "" : "  (rejected)");
        }
        return 0;
    }

    private static void parseQuietly(PipeParser hapi, String er7) {
        try {
            hapi.parse(er7);
        } catch (HL7Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Messages per second over one round of {@code seconds}. */
    private static double rate(double seconds, Runnable work) {
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long count = 0;
        do {
            for (int i = 0; i < 64; i++) {
                work.run();
            }
            count += 64;
        } while (System.nanoTime() < deadline);
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static void usage(PrintStream out) {
        out.println("usage: bench convert [--seconds N] [--profile P] [FILE...]");
        out.println("       bench s3 [--objects N] [--threads C] [--dir D]");
        out.println("       bench engine [--messages N] [--parallelism C] [--warmup W]");
        out.println("       bench mllp [--messages N] [--connections 1,8,32] [--warmup W]");
        out.println("       bench http [--messages N] [--connections 1,8,32] [--warmup W]");
        out.println("       bench crash [--messages N] [--connections C] [--file-messages F]");
        out.println("       bench restage [--messages N] [--warmup W] [--parallelism C] [--threads T]");
        out.println("       bench refine [--messages N]");
        out.println("       bench api [--messages N] [--clients C] [--seconds S] [--ingest K] [--warmup S] [--rate R] [--rounds M]");
        out.println("       bench startup [--runs N] [--jvm-option OPT]... [--jar PATH] [--engine-jar PATH]");
        out.println("       bench frozen [--connections 8] [--before 20] [--frozen 60] [--after 30] [--deadline 10]");
    }
}
