package io.cohort.mpi.engine;

import java.util.Arrays;

/**
 * Operations waiting for a frame that names them (CTS, DATA, FIN), found by id in constant time with no
 * allocation. An id is a slot plus a generation, so a stale id never finds a newer operation.
 *
 * <p>Not thread-safe.
 */
final class OperationTable
{
    private Operation[] slots = new Operation[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int used;

    long register(final Operation op)
    {
        final int slot;
        if (freeCount > 0)
        {
            slot = free[--freeCount];
        }
        else
        {
            if (used == slots.length)
            {
                slots = Arrays.copyOf(slots, used * 2);
                generations = Arrays.copyOf(generations, used * 2);
                free = Arrays.copyOf(free, used * 2);
            }
            slot = used++;
        }
        slots[slot] = op;
        if (++generations[slot] == 0)
        {
            // Generation 0 would make id 0, which means "not registered".
            generations[slot] = 1;
        }
        final long id = ((long) generations[slot] << 32) | slot;
        op.id = id;
        return id;
    }

    Operation get(final long id)
    {
        final int slot = (int) id;
        if (slot < 0 || slot >= used)
        {
            return null;
        }
        final Operation op = slots[slot];
        return op != null && op.id == id ? op : null;
    }

    void remove(final Operation op)
    {
        if (op.id != 0)
        {
            final int slot = (int) op.id;
            if (slots[slot] == op)
            {
                slots[slot] = null;
                free[freeCount++] = slot;
            }
            op.id = 0;
        }
    }
}
