package io.cohort.transport.shm;

import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;

/** Var handles for the ordered reads and writes of a shared-memory file's header words. */
final class ShmHeaderAccess
{
    /** The owner-state word, read and written with volatile semantics across processes. */
    static final VarHandle STATE = ValueLayout.JAVA_INT.varHandle();

    /** The magic word, written last with release semantics so a peer that reads it sees a whole header. */
    static final VarHandle MAGIC = ValueLayout.JAVA_LONG.varHandle();

    /** A bulk header's consumed count: written by the receiver with release, read by the sender with acquire. */
    static final VarHandle BULK_CONSUMED = ValueLayout.JAVA_LONG.varHandle();

    private ShmHeaderAccess()
    {
    }
}
