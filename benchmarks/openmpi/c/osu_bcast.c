/*
 * Broadcast latency, osu_bcast semantics (written for Cohort, not OSU's code): MPI_Bcast of size bytes from
 * rank 0; per size, the slowest rank's average time per call in us. See osu_coll.h.
 */
#include "osu_coll.h"

static void bcast(int size, void *sbuf, void *rbuf) {
    (void) rbuf;
    MPI_Bcast(sbuf, size, MPI_CHAR, 0, MPI_COMM_WORLD);
}

int main(int argc, char **argv) { return coll_main(argc, argv, "Bcast", 1, 1, bcast); }
