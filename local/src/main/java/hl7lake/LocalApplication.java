package hl7lake;

import hl7lake.cli.BenchCommand;
import hl7lake.cli.ClassArchiveCommand;
import hl7lake.cli.TokenCommand;
import hl7lake.config.EngineSettings;

import java.util.Arrays;
import java.util.Map;

/**
 * The full jar's entry point: {@code java -jar target/hl7lake.jar <command>}. It adds the
 * development commands, {@code token}, {@code bench} and {@code class-archive}, to the engine's {@link Application}; the
 * embedded lake that {@code local} starts is on this jar's class path (docs/decisions.md, "Modules").
 */
public final class LocalApplication {

    private LocalApplication() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "bench" -> Application.exit(() -> BenchCommand.run(rest, System.out));
            case "class-archive" -> Application.exit(() -> ClassArchiveCommand.run(rest, System.out));
            case "token" -> Application.exit(() -> TokenCommand.run(rest, EngineSettings.load(Map.of()), System.out, System.err));
            default -> Application.main(args); // local, aws, run, convert, health, and the usage
        }
    }
}
