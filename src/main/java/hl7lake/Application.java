package hl7lake;

import hl7lake.cli.BenchCommand;
import hl7lake.cli.ConvertCommand;

import java.util.Arrays;

/** hl7lake's entry point: {@code java -jar target/hl7lake.jar <command>}. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int status = switch (command) {
            case "convert" -> ConvertCommand.run(rest, System.out, System.err);
            case "bench" -> BenchCommand.run(rest, System.out);
            default -> usage(command);
        };
        System.exit(status);
    }

    private static int usage(String command) {
        System.err.println("""
                usage: java -jar target/hl7lake.jar <command>
                  convert [--profile standard|strict|lenient] FILE...   one JSON line per message (- reads stdin)
                  bench convert [--seconds N] [FILE...]                 converter throughput on one thread
                  bench s3 [--objects N] [--threads C]                  local S3 server throughput as the bucket grows
                """);
        return "help".equals(command) ? 0 : 2;
    }
}
