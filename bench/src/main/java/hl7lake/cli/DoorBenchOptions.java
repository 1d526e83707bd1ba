package hl7lake.cli;

import java.util.Arrays;

/** {@code [--messages N] [--warmup W] [--connections 1,8,32]}: the options of the door benchmarks. */
record DoorBenchOptions(int messages, int warmup, int[] connections) {

    static DoorBenchOptions parse(String[] args) {
        int messages = 10_000;
        int warmup = 30_000;
        int[] connections = {1, 8, 32};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new DoorBenchOptions(messages, warmup, connections);
    }
}
