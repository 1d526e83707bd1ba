package hl7lake.cli;

import java.util.Arrays;

/** {@code [--messages N] [--warmup W] [--connections 1,8,32]}: the options of the door benchmarks. */
record DoorBenchOptions(int messages, int warmup, int[] connections) {

    static DoorBenchOptions parse(String[] args) throws Options.Usage {
        Options options = Options.parse(args, "--messages", "--warmup", "--connections");
        int[] connections;
        try {
            connections = Arrays.stream(options.text("--connections", "1,8,32").split(",")).mapToInt(c -> Integer.parseInt(c.trim())).toArray();
        } catch (NumberFormatException e) {
            connections = new int[0];
        }
        if (connections.length == 0 || Arrays.stream(connections).anyMatch(c -> c < 1)) {
            throw new Options.Usage("--connections is a list of whole numbers such as 1,8,32");
        }
        return new DoorBenchOptions(options.number("--messages", 10_000, 1), options.number("--warmup", 30_000, 0), connections);
    }
}
