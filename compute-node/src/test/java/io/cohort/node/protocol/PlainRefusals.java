package io.cohort.node.protocol;

/** Refusal texts for tests that play the accepting side of a handshake: short, and naming what went wrong. */
public final class PlainRefusals implements Handshake.Refusals
{
    @Override
    public String protocol(final int theirs)
    {
        return "protocol " + theirs;
    }

    @Override
    public String wrongSecret()
    {
        return "wrong secret";
    }
}
