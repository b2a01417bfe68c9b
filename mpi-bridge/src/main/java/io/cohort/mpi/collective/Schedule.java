package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;
import io.cohort.mpi.engine.Progressable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A collective as a sequence of steps (the schedule of MPICH's nonblocking collectives): each step posts its
 * nonblocking sends and receives; when all of them have completed, the step's follow-up runs (a combination, a
 * copy) and the next step is posted. The progress engine advances it on every progress, so it moves on while its
 * rank waits in any call; blocking collectives are a schedule awaited at once.
 *
 * <p>Not thread-safe: one thread per rank.
 */
public final class Schedule implements Request, Progressable
{
    private static final Request[] NOTHING = new Request[0];

    private final CollectiveChannel channel;
    private final List<Supplier<Request[]>> posts = new ArrayList<>();
    private final List<Runnable> followUps = new ArrayList<>();
    private int current = -1;
    private Request[] pending;
    private boolean done;
    private CohortException error;
    private final Status status = new Status();

    /**
     * An empty schedule on a channel.
     *
     * @param channel the communicator's collective channel
     */
    public Schedule(final CollectiveChannel channel)
    {
        this.channel = channel;
    }

    /**
     * Adds a step.
     *
     * @param post     posts the step's operations (called when the step starts)
     * @param followUp runs once they have all completed, or null
     * @return this schedule
     */
    public Schedule step(final Supplier<Request[]> post, final Runnable followUp)
    {
        posts.add(post);
        followUps.add(followUp);
        return this;
    }

    /**
     * Adds a step with no communication, only work.
     *
     * @param work what to do
     * @return this schedule
     */
    public Schedule then(final Runnable work)
    {
        return step(() -> NOTHING, work);
    }

    /**
     * Starts the schedule and hands it to the progress engine.
     *
     * @return this schedule, as the collective's request
     */
    public Schedule start()
    {
        if (!advance())
        {
            channel.track(this);
        }
        return this;
    }

    @Override
    public boolean advance()
    {
        while (!done)
        {
            if (pending != null)
            {
                for (final Request request : pending)
                {
                    if (!request.isDone())
                    {
                        return false;
                    }
                }
            }
            try
            {
                if (pending != null)
                {
                    for (final Request request : pending)
                    {
                        // Finished, so this does not make progress; it raises if the operation failed.
                        request.test();
                    }
                    final Runnable followUp = followUps.get(current);
                    if (followUp != null)
                    {
                        followUp.run();
                    }
                }
                current++;
                if (current == posts.size())
                {
                    done = true;
                    pending = null;
                    return true;
                }
                pending = posts.get(current).get();
            }
            catch (final CohortException ex)
            {
                // A failed collective is finished: the engine drops it, and test or await raise the error.
                error = ex;
                done = true;
                pending = null;
                return true;
            }
        }
        return true;
    }

    @Override
    public boolean test()
    {
        if (!done)
        {
            channel.progress();
            advance();
        }
        if (error != null)
        {
            throw error;
        }
        return done;
    }

    @Override
    public Status await()
    {
        while (!advance())
        {
            for (final Request request : pending)
            {
                if (!request.isDone())
                {
                    // Waits with the engine's policy and its dead-peer checks; progress may advance us meanwhile.
                    try
                    {
                        request.await();
                    }
                    catch (final CohortException ex)
                    {
                        // Recorded by advance() on the next turn of the loop.
                        continue;
                    }
                    break;
                }
            }
        }
        if (error != null)
        {
            throw error;
        }
        return status.set(-1, -1, 0, false);
    }

    @Override
    public boolean cancel()
    {
        return false;
    }

    @Override
    public boolean isDone()
    {
        return done;
    }
}
