/*
 * Ping-pong latency between ranks 0 and 1, OSU osu_latency semantics (written for Cohort, not OSU's code).
 * One-way latency = elapsed / (2 * iterations), warm-up iterations excluded. Output in OSU's format.
 */
#include "osu_common.h"

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, nprocs;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    if (nprocs != 2) {
        if (rank == 0) fprintf(stderr, "osu_latency needs exactly 2 ranks, got %d\n", nprocs);
        MPI_Finalize();
        return 1;
    }
    struct bench_opts o;
    bench_parse(argc, argv, &o, 10000, 10, 100, 10);
    int max = bench_max_size(&o);
    char *sbuf = bench_alloc(max, 'a');
    char *rbuf = bench_alloc(max, 'b');

    if (rank == 0) {
        printf("# Open MPI C Latency Test\n");
        printf("# Size          Latency (us)\n");
        fflush(stdout);
    }
    for (int s = 0; s < o.nsizes; s++) {
        int size = o.sizes[s];
        int large = size > LARGE_MESSAGE_SIZE;
        int iters = large ? o.iters_large : o.iters;
        int skip = large ? o.skip_large : o.skip;
        double t0 = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < iters + skip; i++) {
            if (i == skip) t0 = MPI_Wtime();
            if (rank == 0) {
                MPI_Send(sbuf, size, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
                MPI_Recv(rbuf, size, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(rbuf, size, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(sbuf, size, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
            }
        }
        double elapsed = MPI_Wtime() - t0;
        if (rank == 0) {
            printf("%-10d%18.3f\n", size, elapsed * 1e6 / (2.0 * iters));
            fflush(stdout);
        }
    }
    free(sbuf);
    free(rbuf);
    MPI_Finalize();
    return 0;
}
