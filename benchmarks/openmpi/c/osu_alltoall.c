/*
 * All-to-all latency, osu_alltoall semantics (written for Cohort, not OSU's code): MPI_Alltoall of size bytes
 * to every rank; per size, the slowest rank's average time per call in us. See osu_coll.h.
 */
#include "osu_coll.h"

static void alltoall(int size, void *sbuf, void *rbuf) {
    MPI_Alltoall(sbuf, size, MPI_CHAR, rbuf, size, MPI_CHAR, MPI_COMM_WORLD);
}

int main(int argc, char **argv) { return coll_main_ex(argc, argv, "Alltoall", 1, 1, 1, alltoall); }
