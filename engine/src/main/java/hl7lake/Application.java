package hl7lake;

import hl7lake.cli.ConvertCommand;
import hl7lake.cli.HealthCommand;
import hl7lake.cli.RefineCommand;
import hl7lake.cli.ReplayCommand;
import hl7lake.cli.RestageCommand;
import hl7lake.cli.SchemaCommand;
import hl7lake.config.EngineSettings;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The engine jar's entry point: {@code java -jar engine/target/hl7lake-engine.jar <command>}; it only
 * dispatches. The full jar's ({@code target/hl7lake.jar}) adds {@code token} and {@code bench}, and
 * has the embedded lake that {@code local} needs (the local module's {@code LocalApplication}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        exit(() -> dispatch(args));
    }

    /** Exits with the command's status; a setting or an AWS resource missing ends in one plain line, status 1. */
    public static void exit(Callable<Integer> command) throws Exception {
        try {
            System.exit(command.call());
        } catch (Exception e) {
            // a setting or an AWS resource is missing (an IllegalStateException, maybe wrapped by Camel
            // as it built the beans): say which, plainly, and fail
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof IllegalStateException misconfigured) {
                    System.err.println("hl7lake: " + misconfigured.getMessage());
                    System.exit(1);
                }
            }
            throw e;
        }
    }

    private static int dispatch(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int status = switch (command) {
            case "local", "aws" -> {
                Engine.run(EngineSettings.load(Map.of("hl7lake.mode", command)));
                yield 0;
            }
            case "run" -> {
                Engine.run(EngineSettings.load(Map.of()));
                yield 0;
            }
            case "convert" -> ConvertCommand.run(rest, System.out, System.err);
            case "schema" -> SchemaCommand.run(rest, System.out, System.err);
            case "health" -> HealthCommand.run(EngineSettings.load(Map.of()), System.err);
            case "restage" -> RestageCommand.run(rest, EngineSettings.load(Map.of()), System.err);
            case "refine" -> RefineCommand.run(rest, EngineSettings.load(Map.of()), System.err);
            case "replay" -> ReplayCommand.run(rest, EngineSettings.load(Map.of()), System.err);
            default -> usage(command);
        };
        return status;
    }

    private static int usage(String command) {
        System.err.println("""
                usage: java -jar target/hl7lake.jar <command>   (the engine jar has all but local, token and bench)
                  local                                                 the engine on its embedded lake under ./data
                  aws                                                   the engine on the AWS resources of the stack
                  run                                                   the engine in the mode HL7LAKE_MODE names
                  convert [--profile standard|strict|lenient] FILE...   one JSON line per message (- reads stdin)
                  schema STRUCTURE --format json-schema|glue|athena-ddl  a v2.5 structure's staging schema (--list: all)
                  bench convert [--seconds N] [FILE...]                 converter throughput on one thread
                  bench s3 [--objects N] [--threads C]                  local S3 server throughput as the bucket grows
                  health                                                0 when the engine on this host answers ready (a health probe)
                  token [--user NAME] [--minutes N] [--id]              a bearer token of the local issuer (local mode)
                  class-archive [--engine-jar PATH]                     the jars' class-data-sharing archives (mvn package makes them)
                  restage [--mode local|aws] --from DAY [--to DAY] [--structure S]   staging rewritten from the raw zone in today's shape
                  refine [--mode local|aws] --day DAY [--to DAY]        the refined zone's Parquet tables of those days, compacted from staging
                  replay [--mode local|aws] --from DAY [--to DAY] [--code CODE]   the error zone's messages of those days through the pipeline again
                  bench engine [--messages N] [--parallelism C]         a drop file through the engine vs. the storage ceiling
                  bench mllp [--messages N] [--connections 1,8,32]      MLLP senders against the engine vs. the storage ceiling
                  bench http [--messages N] [--connections 1,8,32]      HTTP POSTs with a token against the engine
                  bench crash [--messages N] [--file-messages F]        the packaged engine killed with SIGKILL under load
                  bench frozen [--frozen 60] [--deadline 10]            S3 and DynamoDB frozen under MLLP load: time to an answer
                  bench restage [--messages N] [--warmup W]             a day's staging restaged from raw vs. the engine's ingest rate
                  bench refine [--messages N]                           a day compacted into the refined zone; glucose query staging vs refined
                  bench api [--messages N] [--clients C] [--seconds S]  query API p50/p99 under C readers; ingest rate with vs without them
                """);
        return "help".equals(command) ? 0 : 2;
    }
}
