/*
 * Harness of Cohort's C collective yardsticks (osu_allreduce / osu_bcast / osu_allgather / osu_alltoall /
 * osu_barrier semantics, own code), the same measurement as `cohort bench allreduce|bcast|allgather|alltoall|barrier`:
 *   - every rank times a loop of `iterations` calls of the collective (no barrier between calls), after
 *     `skip` untimed calls; sizes > 8 KiB use --iterations-large / --skip-large;
 *   - the row shows, per size, the average time per call of the slowest rank in microseconds
 *     (MPI_Reduce MAX of the per-rank averages);
 *   - with --warmup-seconds S > 0 the whole sweep is first repeated untimed (at most 1000 calls per size,
 *     100 above 8 KiB) until S seconds have passed on rank 0, as Cohort's benchmarks do.
 * Output in OSU's format: '#' header lines, then "size value" rows (barrier: a single "value" row).
 */
#ifndef COHORT_OSU_COLL_H
#define COHORT_OSU_COLL_H

#include "osu_common.h"

#define COLL_DEFAULT_SIZES "8,64,512,4096,32768,262144,1048576"
#define COLL_WARM_ITERS 1000
#define COLL_WARM_ITERS_LARGE 100

/* One call of the collective on `size` bytes (ignored by barrier). */
typedef void (*coll_fn)(int size, void *sbuf, void *rbuf);

/* One sweep over the sizes; rows (rank 0) get the slowest rank's average per call in us when timed. */
static void coll_sweep(const struct bench_opts *o, int nsizes, coll_fn fn, void *sbuf, void *rbuf,
                       int timed, double *rows) {
    for (int s = 0; s < nsizes; s++) {
        int size = o->sizes[s];
        int large = size > LARGE_MESSAGE_SIZE;
        int iters = large ? o->iters_large : o->iters;
        int skip = large ? o->skip_large : o->skip;
        if (!timed) {
            int cap = large ? COLL_WARM_ITERS_LARGE : COLL_WARM_ITERS;
            if (iters > cap) iters = cap;
            skip = 0;
        }
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < skip; i++) fn(size, sbuf, rbuf);
        double t0 = MPI_Wtime();
        for (int i = 0; i < iters; i++) fn(size, sbuf, rbuf);
        double mine = (MPI_Wtime() - t0) * 1e6 / iters, slowest = 0;
        MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (timed) rows[s] = slowest;
    }
}

/* sized: 0 for barrier (sizes ignored, one row); multiple: sizes must be multiples of it (allreduce: 8);
 * per_rank: 1 when size is per rank and the buffers hold one block per rank (allgather, alltoall). */
static int coll_main_ex(int argc, char **argv, const char *name, int sized, int multiple, int per_rank,
                        coll_fn fn) {
    MPI_Init(&argc, &argv);
    int rank, nprocs;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
    struct bench_opts o;
    /* OSU's collective defaults: 1000 calls (100 above 8 KiB), 200 (10) untimed first */
    bench_parse_ex(argc, argv, &o, COLL_DEFAULT_SIZES, 1, 1000, 10, 200, 10);
    int nsizes = sized ? o.nsizes : 1;
    if (!sized) o.sizes[0] = 0;
    for (int s = 0; s < nsizes; s++) {
        if (multiple > 1 && o.sizes[s] % multiple != 0) {
            if (rank == 0) fprintf(stderr, "%s: size %d is not a multiple of %d\n", name, o.sizes[s], multiple);
            MPI_Finalize();
            return 2;
        }
    }
    int max = sized ? bench_max_size(&o) : 8;
    int room = per_rank ? max * nprocs : max;
    char *sbuf = bench_alloc(room, 'a');
    char *rbuf = bench_alloc(room, 'b');
    if (multiple == sizeof(double)) { /* allreduce sums doubles: start from finite values */
        for (int i = 0; i < max / (int) sizeof(double); i++) ((double *) sbuf)[i] = 1.0;
    }
    double rows[MAX_SIZES];

    if (o.warmup_seconds > 0) {
        double end = MPI_Wtime() + o.warmup_seconds;
        int go_on = 1;
        while (go_on) {
            coll_sweep(&o, nsizes, fn, sbuf, rbuf, 0, rows);
            if (rank == 0) go_on = MPI_Wtime() < end;
            MPI_Bcast(&go_on, 1, MPI_INT, 0, MPI_COMM_WORLD);
        }
    }
    coll_sweep(&o, nsizes, fn, sbuf, rbuf, 1, rows);

    if (rank == 0) {
        printf("# Open MPI C %s Latency Test (%d ranks)\n", name, nprocs);
        if (sized) {
            printf("# Size       Avg Latency(us)\n");
            for (int s = 0; s < nsizes; s++) printf("%-10d%18.3f\n", o.sizes[s], rows[s]);
        } else {
            printf("# Avg Latency(us)\n");
            printf("%18.3f\n", rows[0]);
        }
        fflush(stdout);
    }
    free(sbuf);
    free(rbuf);
    MPI_Finalize();
    return 0;
}

static int coll_main(int argc, char **argv, const char *name, int sized, int multiple, coll_fn fn) {
    return coll_main_ex(argc, argv, name, sized, multiple, 0, fn);
}

#endif
