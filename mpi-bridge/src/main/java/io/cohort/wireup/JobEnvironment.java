package io.cohort.wireup;

import java.util.Map;

/**
 * What a launcher tells each rank through its environment, and how a rank reads it back. Programs that are not
 * Java can read the same variables (COHORT_RANK and COHORT_SIZE, also PMI_RANK and PMI_SIZE).
 *
 * @param jobId      the job's id, unique on the machine (COHORT_JOB_ID)
 * @param rank       this process's rank in the job (COHORT_RANK)
 * @param size       the number of ranks (COHORT_SIZE)
 * @param wireUp     host:port of the job's address exchange (COHORT_WIREUP), or null when running alone
 * @param token      the secret a rank shows the exchange (COHORT_WIREUP_TOKEN)
 */
public record JobEnvironment(String jobId, int rank, int size, String wireUp, String token)
{
    /** The job id variable. */
    public static final String JOB_ID = "COHORT_JOB_ID";
    /** The rank variable. */
    public static final String RANK = "COHORT_RANK";
    /** The job size variable. */
    public static final String SIZE = "COHORT_SIZE";
    /** The address exchange's host:port. */
    public static final String WIREUP = "COHORT_WIREUP";
    /** The address exchange's secret. */
    public static final String TOKEN = "COHORT_WIREUP_TOKEN";
    /** The rank under the name PMI-aware programs look for. */
    public static final String PMI_RANK = "PMI_RANK";
    /** The size under the name PMI-aware programs look for. */
    public static final String PMI_SIZE = "PMI_SIZE";

    /**
     * Reads the job environment. A process started without a launcher is a job of one rank (MPI's singleton
     * initialisation), so a Cohort program also runs under plain {@code java}.
     *
     * @param env the process environment
     * @return the job environment
     * @throws WireUpException if the variables are present but inconsistent
     */
    public static JobEnvironment fromEnvironment(final Map<String, String> env)
    {
        final String rank = env.get(RANK);
        if (rank == null)
        {
            return new JobEnvironment("single-" + ProcessHandle.current().pid(), 0, 1, null, null);
        }
        final int r = parse(RANK, rank);
        final int n = parse(SIZE, env.get(SIZE));
        if (n < 1 || r < 0 || r >= n)
        {
            throw new WireUpException(RANK + "=" + r + " and " + SIZE + "=" + n + " do not fit: need 0 <= rank < size");
        }
        final String wireUp = env.get(WIREUP);
        if (n > 1 && wireUp == null)
        {
            throw new WireUpException(SIZE + "=" + n + " but " + WIREUP
                + " is not set: start multi-rank jobs with 'cohort run -n " + n + " ...'");
        }
        final String jobId = env.getOrDefault(JOB_ID, "job-" + ProcessHandle.current().pid());
        return new JobEnvironment(jobId, r, n, wireUp, env.get(TOKEN));
    }

    private static int parse(final String name, final String value)
    {
        if (value == null)
        {
            throw new WireUpException(name + " is not set, though " + RANK + " is");
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new WireUpException(name + "=" + value + " is not a number", ex);
        }
    }
}
