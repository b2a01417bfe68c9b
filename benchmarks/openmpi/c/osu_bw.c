/*
 * Streaming bandwidth from rank 0 to rank 1, OSU osu_bw semantics (written for Cohort, not OSU's code):
 * per iteration rank 0 posts a window of 64 non-blocking sends, rank 1 a window of 64 non-blocking
 * receives, both wait for all, then rank 1 returns a 4-byte ack. MB/s = size * window * iterations /
 * elapsed / 1e6, warm-up iterations excluded. Output in OSU's format.
 */
#include "osu_common.h"

#define WINDOW 64

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, nprocs;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    if (nprocs != 2) {
        if (rank == 0) fprintf(stderr, "osu_bw needs exactly 2 ranks, got %d\n", nprocs);
        MPI_Finalize();
        return 1;
    }
    struct bench_opts o;
    bench_parse(argc, argv, &o, 100, 5, 10, 2);
    int max = bench_max_size(&o);
    char *sbuf = bench_alloc(max < 4 ? 4 : max, 'a');
    char *rbuf = bench_alloc(max < 4 ? 4 : max, 'b');
    MPI_Request reqs[WINDOW];

    if (rank == 0) {
        printf("# Open MPI C Bandwidth Test\n");
        printf("# Size      Bandwidth (MB/s)\n");
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
                for (int w = 0; w < WINDOW; w++)
                    MPI_Isend(sbuf, size, MPI_CHAR, 1, 100, MPI_COMM_WORLD, &reqs[w]);
                MPI_Waitall(WINDOW, reqs, MPI_STATUSES_IGNORE);
                MPI_Recv(rbuf, 4, MPI_CHAR, 1, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                for (int w = 0; w < WINDOW; w++)
                    MPI_Irecv(rbuf, size, MPI_CHAR, 0, 100, MPI_COMM_WORLD, &reqs[w]);
                MPI_Waitall(WINDOW, reqs, MPI_STATUSES_IGNORE);
                MPI_Send(sbuf, 4, MPI_CHAR, 0, 101, MPI_COMM_WORLD);
            }
        }
        double elapsed = MPI_Wtime() - t0;
        if (rank == 0) {
            printf("%-10d%18.2f\n", size, (double) size * WINDOW * iters / elapsed / 1e6);
            fflush(stdout);
        }
    }
    free(sbuf);
    free(rbuf);
    MPI_Finalize();
    return 0;
}
