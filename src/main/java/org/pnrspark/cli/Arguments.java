package org.pnrspark.cli;

import org.pnrspark.config.InvalidConfigException;

import java.util.ArrayList;
import java.util.List;

/** The command line: a command, then {@code --conf FILE}, {@code --set key=value}, {@code --strategies a,b}, {@code --force}. */
record Arguments(String command, List<String> confFiles, List<String> overrides, List<String> strategies,
        boolean force) {

    static final String USAGE = """
            usage: pnr-spark <command> [options]

            commands:
              train       run the continual benchmark of a configuration (the default command)
              validate    check a configuration and print it with every default filled in
              parity      check the losses and the networks against the reference's values:
                          parity --vectors FILE.json [--tol 1e-6]      (losses)
                          parity --networks FILE.json [--tol 1e-6]     (networks, against PyTorch)
              compare     put finished (or running) runs side by side, with plots:
                          compare RUN_DIR [RUN_DIR...] [--out compare.html]
              bench       time training steps in this JVM (images per second, memory):
                          bench [--conf FILE] [--encoders small-cnn,resnet18-cifar] [--batches 64,128,256] [--quick]
                          bench --spark ...   through Spark, with the split of an averaging round
                          bench --decode ...  image decoding and augmentation per core
              prepare     pack an image dataset into shard files (prepare --conf FILE --out DIR [--resize 256])

            options:
              --conf FILE          a HOCON configuration (repeatable; later files win), e.g. conf/fmnist-5t.conf
              --set KEY=VALUE      override one key (repeatable), e.g. --set optim.epochs=50
              --strategies A,B     run the benchmark once per strategy (e.g. finetune,cassle,pnr) into
                                   <output.dir>/<strategy> and print them side by side; task 0,
                                   the same under every strategy, is trained once
              --force              discard the run an output directory holds and start over
                                   (same as --set output.overwrite=true); without it, a run of the
                                   same configuration is resumed and any other is refused
              -h, --help           this text

            Every key, its default and its meaning: reference.conf (README, "Configuration").
            """;

    static Arguments parse(String[] args) {
        String command = "train";
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            command = args[0];
            i = 1;
        }
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        List<String> strategies = new ArrayList<>();
        boolean force = false;
        for (; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--conf" -> confs.add(value(args, ++i, a));
                case "--set" -> sets.add(value(args, ++i, a));
                case "--strategies" -> {
                    for (String s : value(args, ++i, a).split(",")) if (!s.isBlank()) strategies.add(s.trim());
                }
                case "--force" -> force = true;
                case "-h", "--help" -> command = "help";
                default -> {
                    if (a.startsWith("--conf=")) confs.add(a.substring(7));
                    else if (a.startsWith("--set=")) sets.add(a.substring(6));
                    else throw new InvalidConfigException("(command line)", "unknown argument \"" + a + "\"\n\n" + USAGE);
                }
            }
        }
        if (force) sets.add("output.overwrite=true");
        return new Arguments(command, confs, sets, strategies, force);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new InvalidConfigException("(command line)", option + " needs a value\n\n" + USAGE);
        return args[i];
    }
}
