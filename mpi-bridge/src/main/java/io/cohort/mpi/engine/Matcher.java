package io.cohort.mpi.engine;

import io.cohort.mpi.Cohort;

import java.util.Arrays;

/**
 * Where messages meet receives: per communicator context, the posted receives in the order they were posted and
 * the unexpected messages in the order they arrived. Because each sender's frames arrive in order and both queues
 * are searched from the oldest entry, messages from one sender on one communicator never overtake each other
 * (MPI's non-overtaking rule), with any-source and any-tag receives included.
 *
 * <p>Not thread-safe.
 */
final class Matcher
{
    private Queues[] contexts = new Queues[16];

    private static final class Queues
    {
        Operation postedHead;
        Operation postedTail;
        Envelope unexpectedHead;
        Envelope unexpectedTail;
    }

    private Queues queues(final int context)
    {
        if (context >= contexts.length)
        {
            contexts = Arrays.copyOf(contexts, Math.max(context + 1, contexts.length * 2));
        }
        Queues q = contexts[context];
        if (q == null)
        {
            q = new Queues();
            contexts[context] = q;
        }
        return q;
    }

    private static boolean matches(final int wantSource, final int wantTag, final int source, final int tag)
    {
        return (wantSource == Cohort.ANY_SOURCE || wantSource == source)
            && (wantTag == Cohort.ANY_TAG || wantTag == tag);
    }

    /** Finds, removes and returns the oldest posted receive that accepts a message, or null. */
    Operation takePosted(final int context, final int source, final int tag)
    {
        final Queues q = queues(context);
        for (Operation op = q.postedHead; op != null; op = op.next)
        {
            if (matches(op.peer, op.tag, source, tag))
            {
                unlinkPosted(q, op);
                return op;
            }
        }
        return null;
    }

    /** Queues a receive that found no unexpected message. */
    void post(final Operation op)
    {
        final Queues q = queues(op.context);
        op.prev = q.postedTail;
        op.next = null;
        if (q.postedTail == null)
        {
            q.postedHead = op;
        }
        else
        {
            q.postedTail.next = op;
        }
        q.postedTail = op;
    }

    /** Removes a posted receive (cancel, or its peer failed); false if it was not posted. */
    boolean removePosted(final Operation op)
    {
        final Queues q = queues(op.context);
        for (Operation o = q.postedHead; o != null; o = o.next)
        {
            if (o == op)
            {
                unlinkPosted(q, op);
                return true;
            }
        }
        return false;
    }

    private static void unlinkPosted(final Queues q, final Operation op)
    {
        if (op.prev == null)
        {
            q.postedHead = op.next;
        }
        else
        {
            op.prev.next = op.next;
        }
        if (op.next == null)
        {
            q.postedTail = op.prev;
        }
        else
        {
            op.next.prev = op.prev;
        }
        op.prev = null;
        op.next = null;
    }

    /** Queues a message no receive was waiting for. */
    void addUnexpected(final Envelope env)
    {
        final Queues q = queues(env.context);
        env.prev = q.unexpectedTail;
        env.next = null;
        if (q.unexpectedTail == null)
        {
            q.unexpectedHead = env;
        }
        else
        {
            q.unexpectedTail.next = env;
        }
        q.unexpectedTail = env;
    }

    /** Finds the oldest unexpected message a receive accepts, without removing it (probe), or null. */
    Envelope peekUnexpected(final int context, final int source, final int tag)
    {
        final Queues q = queues(context);
        for (Envelope env = q.unexpectedHead; env != null; env = env.next)
        {
            if (matches(source, tag, env.source, env.tag))
            {
                return env;
            }
        }
        return null;
    }

    /** Finds, removes and returns the oldest unexpected message a receive accepts, or null. */
    Envelope takeUnexpected(final int context, final int source, final int tag)
    {
        final Envelope env = peekUnexpected(context, source, tag);
        if (env != null)
        {
            final Queues q = queues(context);
            if (env.prev == null)
            {
                q.unexpectedHead = env.next;
            }
            else
            {
                env.prev.next = env.next;
            }
            if (env.next == null)
            {
                q.unexpectedTail = env.prev;
            }
            else
            {
                env.next.prev = env.prev;
            }
            env.prev = null;
            env.next = null;
        }
        return env;
    }

    /** Whether any posted receive on any context waits on the given world rank (or on any source). */
    boolean anyPostedFor(final int source)
    {
        for (final Queues q : contexts)
        {
            if (q != null)
            {
                for (Operation op = q.postedHead; op != null; op = op.next)
                {
                    if (op.peer == source || op.peer == Cohort.ANY_SOURCE)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
