package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Which algorithm each tuned collective runs, as data: size thresholds with defaults measured on a 2-core shared
 * memory machine (see coll-readme), overridable by a properties file named in {@code COHORT_COLL_TUNING} and then
 * by environment variables of the same names:
 * <pre>
 * COHORT_ALLREDUCE_ALGORITHM=auto|recursive-doubling|rabenseifner|ring|shm
 * COHORT_ALLREDUCE_SHM_BYTES=...           # up to here: shared memory, when every rank is on one host
 * COHORT_ALLREDUCE_LARGE_BYTES=16384       # from here: Rabenseifner
 * COHORT_ALLREDUCE_RING_BYTES=131072       # from here: the ring (commutative operations only)
 * COHORT_BCAST_ALGORITHM=auto|binomial|scatter-allgather|shm
 * COHORT_BCAST_SHM_BYTES=...               # up to here: shared memory, when every rank is on one host
 * COHORT_BARRIER_ALGORITHM=auto|dissemination|shm
 * COHORT_BCAST_LARGE_BYTES=...  COHORT_BCAST_MIN_RANKS=...
 * COHORT_ALLGATHER_ALGORITHM=auto|recursive-doubling|bruck|ring|shm
 * COHORT_ALLGATHER_SHM_BYTES=...           # total bytes gathered; up to here: shared memory, on one host
 * COHORT_ALLGATHER_SHORT_BYTES=...         # total bytes gathered; from here: the ring, on sizes not a power of 2
 * COHORT_ALLGATHER_LARGE_BYTES=...         # total bytes gathered; from here: the ring, on powers of two
 * COHORT_ALLTOALL_ALGORITHM=auto|bruck|pairwise|shm
 * COHORT_ALLTOALL_SHM_BYTES=...            # bytes to each rank; up to here: shared memory, on one host
 * COHORT_ALLTOALL_SMALL_BYTES=...  COHORT_ALLTOALL_MIN_RANKS=...
 * </pre>
 * Every decision is taken from values every rank of a communicator has alike (count, element size, communicator
 * size, whether the operation commutes), so all ranks run the same algorithm; every rank must therefore see the same
 * settings. A forced algorithm that cannot run a given call (the ring on a non-commutative operation, recursive
 * doubling allgather on a size that is not a power of two) falls back to one that can, named in
 * {@link #allreduce} and {@link #allgather}.
 * <pre>{@code
 * CollectiveTuning ring = CollectiveTuning.defaults().with("COHORT_ALLREDUCE_ALGORITHM", "ring");
 * world.useCollectiveTuning(ring); // on every rank
 * }</pre>
 *
 * <p>Immutable, so thread-safe.
 */
public final class CollectiveTuning
{
    /** The variable naming a tuning file. */
    public static final String FILE_VARIABLE = "COHORT_COLL_TUNING";
    /** Allreduce messages of at least this many bytes run Rabenseifner's algorithm. */
    public static final String ALLREDUCE_LARGE_BYTES = "COHORT_ALLREDUCE_LARGE_BYTES";
    /** Allreduce messages of at least this many bytes run the ring (commutative operations). */
    public static final String ALLREDUCE_RING_BYTES = "COHORT_ALLREDUCE_RING_BYTES";
    /** Allreduces of at most this many bytes run through shared memory when every rank shares one host. */
    public static final String ALLREDUCE_SHM_BYTES = "COHORT_ALLREDUCE_SHM_BYTES";
    /** Broadcasts of at most this many bytes run through shared memory when every rank shares one host. */
    public static final String BCAST_SHM_BYTES = "COHORT_BCAST_SHM_BYTES";
    /** Allgathers of at most this many bytes in all run through shared memory when every rank shares one host. */
    public static final String ALLGATHER_SHM_BYTES = "COHORT_ALLGATHER_SHM_BYTES";
    /** Broadcasts of at least this many bytes run scatter-allgather (with enough ranks). */
    public static final String BCAST_LARGE_BYTES = "COHORT_BCAST_LARGE_BYTES";
    /** Scatter-allgather broadcast only from this many ranks. */
    public static final String BCAST_MIN_RANKS = "COHORT_BCAST_MIN_RANKS";
    /** Allgathers of at least this many bytes in all run the ring when the size is not a power of two. */
    public static final String ALLGATHER_SHORT_BYTES = "COHORT_ALLGATHER_SHORT_BYTES";
    /** Allgathers of at least this many bytes in all run the ring when the size is a power of two. */
    public static final String ALLGATHER_LARGE_BYTES = "COHORT_ALLGATHER_LARGE_BYTES";
    /** All-to-all blocks of at most this many bytes run through shared memory when every rank shares one host. */
    public static final String ALLTOALL_SHM_BYTES = "COHORT_ALLTOALL_SHM_BYTES";
    /** All-to-all blocks of at most this many bytes run Bruck's algorithm (with enough ranks). */
    public static final String ALLTOALL_SMALL_BYTES = "COHORT_ALLTOALL_SMALL_BYTES";
    /** Bruck's all-to-all only from this many ranks. */
    public static final String ALLTOALL_MIN_RANKS = "COHORT_ALLTOALL_MIN_RANKS";

    private static final String AUTO = "auto";
    /** The default shared-memory limits: every size (2 GiB - 1 is the largest count of bytes a call can carry). */
    private static final long SHM_UNLIMITED = Integer.MAX_VALUE;
    private static final Map<String, Long> DEFAULT_LIMITS = defaultLimits();
    private static final CollectiveTuning DEFAULTS = new CollectiveTuning(
        new EnumMap<>(TunedCollective.class), DEFAULT_LIMITS);

    private final Map<TunedCollective, CollectiveAlgorithm> forced;
    private final Map<String, Long> limits;
    /** Logical host of each world rank (tests of the two-level collectives on one machine), or null. */
    private final int[] logicalHosts;

    private CollectiveTuning(final Map<TunedCollective, CollectiveAlgorithm> forced, final Map<String, Long> limits)
    {
        this(forced, limits, null);
    }

    private CollectiveTuning(final Map<TunedCollective, CollectiveAlgorithm> forced, final Map<String, Long> limits,
        final int[] logicalHosts)
    {
        this.forced = forced;
        this.limits = limits;
        this.logicalHosts = logicalHosts;
    }

    /**
     * This tuning with ranks assigned to hosts by the caller instead of by the machine they run on: the two-level
     * collectives then treat ranks of one logical host as sharing memory and ranks of different logical hosts as
     * remote (their messages still go through whatever transport reaches them). For testing node-aware collectives
     * on one machine; every rank must use the same assignment.
     * <pre>{@code
     * world.useCollectiveTuning(CollectiveTuning.defaults().withLogicalHosts(0, 0, 1, 1, 1));
     * }</pre>
     *
     * @param hostOfWorldRank a host number (&gt;= 0) for every world rank
     * @return the new tuning
     */
    public CollectiveTuning withLogicalHosts(final int... hostOfWorldRank)
    {
        for (int r = 0; r < hostOfWorldRank.length; r++)
        {
            if (hostOfWorldRank[r] < 0)
            {
                throw new CohortException("logical host " + hostOfWorldRank[r] + " of world rank " + r
                    + " is negative: number hosts from 0");
            }
        }
        return new CollectiveTuning(forced, limits, hostOfWorldRank.clone());
    }

    /**
     * The logical host of a world rank set by {@link #withLogicalHosts}.
     *
     * @param worldRank a world rank
     * @return its host number, or -1 when ranks are grouped by the machine they run on
     * @throws CohortException if logical hosts are set but do not cover the rank
     */
    public int logicalHost(final int worldRank)
    {
        if (logicalHosts == null)
        {
            return -1;
        }
        if (worldRank >= logicalHosts.length)
        {
            throw new CohortException("withLogicalHosts names " + logicalHosts.length + " world ranks; world rank "
                + worldRank + " has no host: give one per world rank");
        }
        return logicalHosts[worldRank];
    }

    private static Map<String, Long> defaultLimits()
    {
        // From `cohort bench <collective> --sweep` at 2, 3 and 4 ranks on a 2-core VM shared with other work
        // (coll-readme has the tables); where the runs were too noisy to decide, MPICH's choice.
        final Map<String, Long> limits = new LinkedHashMap<>();
        // Recursive doubling is fastest to 8 KiB, Rabenseifner and the ring from 32 KiB (2 and 4 ranks).
        limits.put(ALLREDUCE_LARGE_BYTES, 16_384L);
        // The ring matched Rabenseifner at 128 KiB and beat it from 512 KiB (4 ranks: 314 against 418 us).
        limits.put(ALLREDUCE_RING_BYTES, 131_072L);
        // Shared memory beat every message-based algorithm on one host at every size measured (coll2-readme).
        limits.put(ALLREDUCE_SHM_BYTES, SHM_UNLIMITED);
        limits.put(BCAST_SHM_BYTES, SHM_UNLIMITED);
        limits.put(ALLGATHER_SHM_BYTES, SHM_UNLIMITED);
        limits.put(ALLTOALL_SHM_BYTES, SHM_UNLIMITED);
        // Scatter-allgather won at 2 MiB on 4 ranks and from 256 KiB on 3, lost at 512 KiB on 4.
        limits.put(BCAST_LARGE_BYTES, 1_048_576L);
        limits.put(BCAST_MIN_RANKS, 3L);
        // Bruck beat the ring up to 2 KiB per rank on 4 ranks; on 3 ranks (as many rounds) the ring won.
        limits.put(ALLGATHER_SHORT_BYTES, 8_192L);
        // Recursive doubling beat the ring up to 512 KiB per rank on 4 ranks (2 MiB in all).
        limits.put(ALLGATHER_LARGE_BYTES, 2_097_152L);
        // Pairwise matched or beat Bruck at every size on 2 and 4 ranks; Bruck pays from more ranks (MPICH: 8).
        limits.put(ALLTOALL_SMALL_BYTES, 256L);
        limits.put(ALLTOALL_MIN_RANKS, 8L);
        return Collections.unmodifiableMap(limits);
    }

    /**
     * The measured defaults, ignoring the environment.
     *
     * @return automatic selection with the default thresholds
     */
    public static CollectiveTuning defaults()
    {
        return DEFAULTS;
    }

    /**
     * The tuning of this process: the defaults, then {@code COHORT_COLL_TUNING}'s file, then the environment.
     * Read once; a bad setting raises here, on the first collective call.
     *
     * @return the process's tuning
     */
    public static CollectiveTuning ofProcess()
    {
        return ProcessTuning.TUNING;
    }

    /** Reads the process environment once, on first use. */
    private static final class ProcessTuning
    {
        static final CollectiveTuning TUNING = fromEnvironment(System.getenv());
    }

    /**
     * The defaults, then the file named by {@code COHORT_COLL_TUNING} in {@code env} (if any), then the tuning
     * variables of {@code env}.
     *
     * @param env variables, as the process environment
     * @return the tuning
     * @throws CohortException naming the variable, its value and what is allowed, for a bad setting
     */
    public static CollectiveTuning fromEnvironment(final Map<String, String> env)
    {
        CollectiveTuning tuning = DEFAULTS;
        final String file = env.get(FILE_VARIABLE);
        if (file != null && !file.isBlank())
        {
            tuning = tuning.withFile(Path.of(file));
        }
        for (final Map.Entry<String, String> entry : env.entrySet())
        {
            if (isTuningName(entry.getKey()))
            {
                tuning = tuning.with(entry.getKey(), entry.getValue());
            }
        }
        return tuning;
    }

    private static boolean isTuningName(final String name)
    {
        for (final TunedCollective collective : TunedCollective.values())
        {
            if (name.startsWith("COHORT_" + collective.name() + "_"))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * This tuning with the settings of a properties file ({@code NAME=VALUE} lines with the variables' names).
     *
     * @param file the file
     * @return the new tuning
     * @throws CohortException if the file cannot be read or holds a bad setting
     */
    public CollectiveTuning withFile(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new CohortException(FILE_VARIABLE + "=" + file + ": cannot read the tuning file (" + ex
                + "); name a readable properties file or unset " + FILE_VARIABLE, ex);
        }
        CollectiveTuning tuning = this;
        for (final String name : properties.stringPropertyNames())
        {
            try
            {
                tuning = tuning.with(name, properties.getProperty(name));
            }
            catch (final CohortException ex)
            {
                throw new CohortException("tuning file " + file + ": " + ex.getMessage(), ex);
            }
        }
        return tuning;
    }

    /**
     * This tuning with one setting changed.
     *
     * @param name  a setting's name, such as {@code COHORT_ALLREDUCE_ALGORITHM} or {@link #ALLREDUCE_LARGE_BYTES}
     * @param value its value: {@code auto} or an algorithm's {@link CollectiveAlgorithm#id() id}; a size in bytes
     *              (K, M, G suffixes allowed); a number of ranks
     * @return the new tuning
     * @throws CohortException naming the setting, the value and what is allowed
     */
    public CollectiveTuning with(final String name, final String value)
    {
        for (final TunedCollective collective : TunedCollective.values())
        {
            if (collective.algorithmVariable().equals(name))
            {
                final Map<TunedCollective, CollectiveAlgorithm> newForced = new EnumMap<>(TunedCollective.class);
                newForced.putAll(forced);
                if (AUTO.equalsIgnoreCase(value.trim()))
                {
                    newForced.remove(collective);
                }
                else
                {
                    final CollectiveAlgorithm algorithm = CollectiveAlgorithm.ofId(value);
                    if (algorithm == null || !collective.algorithms().contains(algorithm))
                    {
                        throw new CohortException(name + "=" + value + " is not an algorithm of " + collective.id()
                            + ": use one of " + allowed(collective));
                    }
                    newForced.put(collective, algorithm);
                }
                return new CollectiveTuning(newForced, limits, logicalHosts);
            }
        }
        if (!limits.containsKey(name))
        {
            final List<String> names = new ArrayList<>();
            for (final TunedCollective collective : TunedCollective.values())
            {
                names.add(collective.algorithmVariable());
            }
            names.addAll(limits.keySet());
            throw new CohortException(name + " is not a collective tuning setting: the settings are "
                + String.join(", ", names));
        }
        final Map<String, Long> newLimits = new LinkedHashMap<>(limits);
        newLimits.put(name, parse(name, value));
        return new CollectiveTuning(forced, Collections.unmodifiableMap(newLimits), logicalHosts);
    }

    /**
     * This tuning with one collective's algorithm forced (or back to automatic with null).
     *
     * @param collective the collective
     * @param algorithm  one of its algorithms, or null for automatic selection
     * @return the new tuning
     */
    public CollectiveTuning forcing(final TunedCollective collective, final CollectiveAlgorithm algorithm)
    {
        return with(collective.algorithmVariable(), algorithm == null ? AUTO : algorithm.id());
    }

    private static String allowed(final TunedCollective collective)
    {
        final StringBuilder text = new StringBuilder(AUTO);
        for (final CollectiveAlgorithm algorithm : collective.algorithms())
        {
            text.append(", ").append(algorithm.id());
        }
        return text.toString();
    }

    private static long parse(final String name, final String value)
    {
        final boolean ranks = name.endsWith("_RANKS");
        final String text = value.trim().toUpperCase(Locale.ROOT);
        long multiplier = 1;
        String digits = text;
        if (!ranks && !text.isEmpty() && "KMG".indexOf(text.charAt(text.length() - 1)) >= 0)
        {
            multiplier = 1L << (10 * ("KMG".indexOf(text.charAt(text.length() - 1)) + 1));
            digits = text.substring(0, text.length() - 1);
        }
        try
        {
            final long number = Math.multiplyExact(Long.parseLong(digits), multiplier);
            if (number >= (ranks ? 1 : 0))
            {
                return number;
            }
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            // Reported below with what is allowed.
        }
        throw new CohortException(name + "=" + value + (ranks
            ? " is not a number of ranks: use a whole number >= 1"
            : " is not a size: use a number of bytes >= 0, optionally with a K, M or G suffix (powers of 1024)"));
    }

    /**
     * A threshold's current value.
     *
     * @param name one of the threshold names, such as {@link #ALLREDUCE_LARGE_BYTES}
     * @return its value
     */
    public long limit(final String name)
    {
        final Long value = limits.get(name);
        if (value == null)
        {
            throw new CohortException(name + " is not a collective threshold: the thresholds are "
                + String.join(", ", limits.keySet()));
        }
        return value;
    }

    /**
     * The algorithm forced for a collective.
     *
     * @param collective the collective
     * @return the algorithm, or null when it is chosen by size
     */
    public CollectiveAlgorithm forced(final TunedCollective collective)
    {
        return forced.get(collective);
    }

    /**
     * Whether a blocking call runs through shared memory ({@link CollectiveAlgorithm#SHM}), if every rank of the
     * communicator shares one host: when forced, or automatically up to {@code COHORT_<COLLECTIVE>_SHM_BYTES}
     * (always for the barrier). A communicator spanning hosts, and nonblocking calls, run the message-based choice.
     *
     * @param collective allreduce, bcast, allgather, alltoall or barrier
     * @param bytes      the message size (0 for the barrier; for allgather the total gathered, for alltoall the
     *                   bytes to each rank)
     * @return true for shared memory
     */
    public boolean sharedMemory(final TunedCollective collective, final long bytes)
    {
        final CollectiveAlgorithm algorithm = forced.get(collective);
        if (algorithm != null)
        {
            return algorithm == CollectiveAlgorithm.SHM;
        }
        return switch (collective)
        {
            case ALLREDUCE -> bytes <= limits.get(ALLREDUCE_SHM_BYTES);
            case BCAST -> bytes <= limits.get(BCAST_SHM_BYTES);
            case ALLGATHER -> bytes <= limits.get(ALLGATHER_SHM_BYTES);
            case ALLTOALL -> bytes <= limits.get(ALLTOALL_SHM_BYTES);
            case BARRIER -> true;
            default -> false;
        };
    }

    /** The forced algorithm unless it is shared memory, which outside one host means the automatic choice. */
    private CollectiveAlgorithm messageBased(final TunedCollective collective)
    {
        final CollectiveAlgorithm algorithm = forced.get(collective);
        return algorithm == CollectiveAlgorithm.SHM ? null : algorithm;
    }

    /**
     * The allreduce algorithm for a call. Automatic: recursive doubling below {@link #ALLREDUCE_LARGE_BYTES} or
     * with fewer reduction units than the largest power of two in {@code ranks}, else Rabenseifner, and the ring
     * from {@link #ALLREDUCE_RING_BYTES}. The ring combines blocks out of rank order, so a non-commutative
     * operation never runs it (forced or not): it runs Rabenseifner instead, which keeps rank order.
     *
     * @param bytes       the message size
     * @param units       the elements that may be split apart (pairs for MINLOC and MAXLOC)
     * @param ranks       the communicator's size
     * @param commutative whether the operation commutes
     * @return the algorithm
     */
    public CollectiveAlgorithm allreduce(final long bytes, final int units, final int ranks,
        final boolean commutative)
    {
        CollectiveAlgorithm algorithm = messageBased(TunedCollective.ALLREDUCE);
        if (algorithm == null)
        {
            if (ranks < 2 || bytes < limits.get(ALLREDUCE_LARGE_BYTES) || units < Integer.highestOneBit(ranks))
            {
                algorithm = CollectiveAlgorithm.RECURSIVE_DOUBLING;
            }
            else
            {
                algorithm = bytes >= limits.get(ALLREDUCE_RING_BYTES) && units >= ranks
                    ? CollectiveAlgorithm.RING : CollectiveAlgorithm.RABENSEIFNER;
            }
        }
        return algorithm == CollectiveAlgorithm.RING && !commutative ? CollectiveAlgorithm.RABENSEIFNER : algorithm;
    }

    /**
     * The bcast algorithm for a call. Automatic: scatter-allgather from {@link #BCAST_LARGE_BYTES} on at least
     * {@link #BCAST_MIN_RANKS} ranks, else the binomial tree.
     *
     * @param bytes the message size
     * @param ranks the communicator's size
     * @return the algorithm
     */
    public CollectiveAlgorithm bcast(final long bytes, final int ranks)
    {
        final CollectiveAlgorithm algorithm = messageBased(TunedCollective.BCAST);
        if (algorithm != null)
        {
            return algorithm;
        }
        return bytes >= limits.get(BCAST_LARGE_BYTES) && ranks >= limits.get(BCAST_MIN_RANKS)
            ? CollectiveAlgorithm.SCATTER_ALLGATHER : CollectiveAlgorithm.BINOMIAL;
    }

    /**
     * The allgather algorithm for a call. Automatic, as MPICH chooses: on a power of two of ranks recursive doubling
     * below {@link #ALLGATHER_LARGE_BYTES} gathered in all, else Bruck's algorithm below
     * {@link #ALLGATHER_SHORT_BYTES}; the ring from there. Recursive doubling, forced on a size that is not a power
     * of two, runs Bruck's algorithm.
     *
     * @param totalBytes the bytes every rank ends up with
     * @param ranks      the communicator's size
     * @return the algorithm
     */
    public CollectiveAlgorithm allgather(final long totalBytes, final int ranks)
    {
        final boolean powerOfTwo = Integer.bitCount(ranks) == 1;
        CollectiveAlgorithm algorithm = messageBased(TunedCollective.ALLGATHER);
        if (algorithm == null)
        {
            algorithm = totalBytes >= limits.get(powerOfTwo ? ALLGATHER_LARGE_BYTES : ALLGATHER_SHORT_BYTES)
                ? CollectiveAlgorithm.RING : CollectiveAlgorithm.RECURSIVE_DOUBLING;
        }
        return algorithm == CollectiveAlgorithm.RECURSIVE_DOUBLING && !powerOfTwo ? CollectiveAlgorithm.BRUCK
            : algorithm;
    }

    /**
     * The all-to-all algorithm for a call. Automatic: Bruck's algorithm for blocks of at most
     * {@link #ALLTOALL_SMALL_BYTES} on at least {@link #ALLTOALL_MIN_RANKS} ranks, else pairwise exchange.
     *
     * @param blockBytes the bytes each rank sends each rank
     * @param ranks      the communicator's size
     * @return the algorithm
     */
    public CollectiveAlgorithm alltoall(final long blockBytes, final int ranks)
    {
        final CollectiveAlgorithm algorithm = messageBased(TunedCollective.ALLTOALL);
        if (algorithm != null)
        {
            return algorithm;
        }
        return blockBytes <= limits.get(ALLTOALL_SMALL_BYTES) && ranks >= limits.get(ALLTOALL_MIN_RANKS)
            ? CollectiveAlgorithm.BRUCK : CollectiveAlgorithm.PAIRWISE;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final TunedCollective collective : TunedCollective.values())
        {
            final CollectiveAlgorithm algorithm = forced.get(collective);
            text.append(collective.algorithmVariable()).append('=')
                .append(algorithm == null ? AUTO : algorithm.id()).append('\n');
        }
        for (final Map.Entry<String, Long> limit : limits.entrySet())
        {
            text.append(limit.getKey()).append('=').append(limit.getValue()).append('\n');
        }
        return text.toString();
    }
}
