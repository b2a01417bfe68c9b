/*
 * Barrier latency, osu_barrier semantics (written for Cohort, not OSU's code): the slowest rank's average
 * time per MPI_Barrier in us, printed as a single row (--sizes is ignored). See osu_coll.h.
 */
#include "osu_coll.h"

static void barrier(int size, void *sbuf, void *rbuf) {
    (void) size;
    (void) sbuf;
    (void) rbuf;
    MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char **argv) { return coll_main(argc, argv, "Barrier", 0, 1, barrier); }
