/*
 * Allgather latency, osu_allgather semantics (written for Cohort, not OSU's code): MPI_Allgather of size bytes
 * from every rank; per size, the slowest rank's average time per call in us. See osu_coll.h.
 */
#include "osu_coll.h"

static void allgather(int size, void *sbuf, void *rbuf) {
    MPI_Allgather(sbuf, size, MPI_CHAR, rbuf, size, MPI_CHAR, MPI_COMM_WORLD);
}

int main(int argc, char **argv) { return coll_main_ex(argc, argv, "Allgather", 1, 1, 1, allgather); }
