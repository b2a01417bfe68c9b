/*
 * Allreduce latency, osu_allreduce semantics (written for Cohort, not OSU's code): MPI_Allreduce of
 * size / 8 doubles with MPI_SUM; per size, the slowest rank's average time per call in us. See osu_coll.h.
 */
#include "osu_coll.h"

static void allreduce(int size, void *sbuf, void *rbuf) {
    MPI_Allreduce(sbuf, rbuf, size / (int) sizeof(double), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

int main(int argc, char **argv) { return coll_main(argc, argv, "Allreduce", 1, (int) sizeof(double), allreduce); }
