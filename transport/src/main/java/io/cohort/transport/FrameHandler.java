package io.cohort.transport;

import java.lang.foreign.MemorySegment;

/**
 * Receives the frames a {@link Transport} polls. The frame's bytes are valid only during the call: copy what must
 * outlive it.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * One frame from a peer.
     *
     * @param peer      the sending rank
     * @param frameType the type the sender claimed the frame with
     * @param buffer    memory holding the frame
     * @param offset    where in {@code buffer} the frame starts
     * @param length    the frame's length in bytes
     */
    void onFrame(int peer, int frameType, MemorySegment buffer, long offset, int length);
}
