/*
 * Options shared by the Java yardsticks (same flags as the C ones in ../c):
 *   --sizes LIST            comma-separated message sizes in bytes (default 8,1024,65536,1048576,4194304)
 *   --iterations N          timed iterations for sizes <= 8 KiB
 *   --iterations-large N    timed iterations for sizes  > 8 KiB (default: scaled down from --iterations)
 *   --skip N                untimed warm-up iterations for sizes <= 8 KiB
 *   --skip-large N          untimed warm-up iterations for sizes  > 8 KiB
 *   --warmup-seconds S      before timing, repeat the whole sweep untimed until S seconds have passed
 *                           on rank 0 (collectives: default 3; point-to-point: default 0)
 *
 * Not part of the Maven build: scripts/bench-vs-openmpi.sh compiles these against Open MPI's mpi.jar.
 */
final class OsuOptions {
    static final int LARGE_MESSAGE_SIZE = 8192;

    int[] sizes = {8, 1024, 65536, 1048576, 4194304};
    int iterations, iterationsLarge, skip, skipLarge;
    double warmupSeconds;

    /** Returns null after printing usage when --help was given. */
    static OsuOptions parse(String[] args, String prog, int defIterations, int largeDivisor,
                            int defSkip, int defSkipLarge) {
        return parse(args, prog, null, 0, defIterations, largeDivisor, defSkip, defSkipLarge);
    }

    /**
     * defSizes: null for the point-to-point default; defWarmupSeconds: the --warmup-seconds default.
     */
    static OsuOptions parse(String[] args, String prog, int[] defSizes, double defWarmupSeconds,
                            int defIterations, int largeDivisor, int defSkip, int defSkipLarge) {
        OsuOptions o = new OsuOptions();
        if (defSizes != null) o.sizes = defSizes.clone();
        o.warmupSeconds = defWarmupSeconds;
        o.iterations = defIterations;
        o.skip = defSkip;
        o.skipLarge = defSkipLarge;
        int large = -1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.err.println("usage: " + prog
                        + " [--sizes LIST] [--iterations N] [--iterations-large N] [--skip N] [--skip-large N]"
                        + " [--warmup-seconds S]");
                return null;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
            String v = args[++i];
            switch (a) {
                case "--sizes" -> {
                    String[] parts = v.split(",");
                    o.sizes = new int[parts.length];
                    for (int k = 0; k < parts.length; k++) o.sizes[k] = positive(parts[k].trim(), "size");
                }
                case "--iterations" -> o.iterations = positive(v, a);
                case "--iterations-large" -> large = positive(v, a);
                case "--skip" -> o.skip = Math.max(0, Integer.parseInt(v));
                case "--skip-large" -> o.skipLarge = Math.max(0, Integer.parseInt(v));
                case "--warmup-seconds" -> {
                    try {
                        o.warmupSeconds = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        o.warmupSeconds = -1;
                    }
                    if (!(o.warmupSeconds >= 0)) throw new IllegalArgumentException("invalid --warmup-seconds: '" + v + "'");
                }
                default -> throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        o.iterationsLarge = large > 0 ? large : Math.max(1, o.iterations / largeDivisor);
        return o;
    }

    int maxSize() {
        int m = 4;
        for (int s : sizes) m = Math.max(m, s);
        return m;
    }

    int iterationsFor(int size) {
        return size > LARGE_MESSAGE_SIZE ? iterationsLarge : iterations;
    }

    int skipFor(int size) {
        return size > LARGE_MESSAGE_SIZE ? skipLarge : skip;
    }

    private static int positive(String s, String what) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException("invalid " + what + ": '" + s + "' (expected a positive integer)");
    }
}
