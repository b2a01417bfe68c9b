/*
 * Shared option parsing for Cohort's C yardsticks (OSU semantics, own code).
 *
 * Options (same as the Java yardsticks in ../java):
 *   --sizes LIST            comma-separated message sizes in bytes (default 8,1024,65536,1048576,4194304)
 *   --iterations N          timed iterations for sizes <= 8 KiB
 *   --iterations-large N    timed iterations for sizes  > 8 KiB (default: scaled down from --iterations)
 *   --skip N                untimed warm-up iterations for sizes <= 8 KiB
 *   --skip-large N          untimed warm-up iterations for sizes  > 8 KiB
 *   --warmup-seconds S      collectives only (osu_coll.h): before timing, repeat the whole sweep untimed
 *                           until S seconds have passed on rank 0 (default 0: per-size skips only)
 */
#ifndef COHORT_OSU_COMMON_H
#define COHORT_OSU_COMMON_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LARGE_MESSAGE_SIZE 8192
#define MAX_SIZES 64

struct bench_opts {
    int sizes[MAX_SIZES];
    int nsizes;
    int iters, iters_large, skip, skip_large;
    double warmup_seconds;
};

static void bench_usage(const char *prog, int coll) {
    fprintf(stderr,
            "usage: %s [--sizes LIST] [--iterations N] [--iterations-large N] [--skip N] [--skip-large N]%s\n",
            prog, coll ? " [--warmup-seconds S]" : "");
}

static int parse_positive(const char *s, const char *what) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v <= 0 || v > 0x7fffffffL) {
        fprintf(stderr, "invalid %s: '%s' (expected a positive integer)\n", what, s);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return (int) v;
}

/* large_divisor: how much --iterations shrinks for large messages when --iterations-large is absent;
 * coll: whether --warmup-seconds is accepted (collective yardsticks). */
static void bench_parse_ex(int argc, char **argv, struct bench_opts *o, const char *def_sizes, int coll,
                           int def_iters, int large_divisor, int def_skip, int def_skip_large) {
    const char *sizes = def_sizes;
    int iters = def_iters, iters_large = -1, skip = def_skip, skip_large = def_skip_large;
    double warmup_seconds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            int rank;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            if (rank == 0) bench_usage(argv[0], coll);
            MPI_Finalize();
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "missing value after %s\n", a);
            bench_usage(argv[0], coll);
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
        if (strcmp(a, "--sizes") == 0) sizes = argv[++i];
        else if (strcmp(a, "--iterations") == 0) iters = parse_positive(argv[++i], a);
        else if (strcmp(a, "--iterations-large") == 0) iters_large = parse_positive(argv[++i], a);
        else if (strcmp(a, "--skip") == 0) skip = atoi(argv[++i]);
        else if (strcmp(a, "--skip-large") == 0) skip_large = atoi(argv[++i]);
        else if (coll && strcmp(a, "--warmup-seconds") == 0) {
            char *end;
            const char *v = argv[++i];
            warmup_seconds = strtod(v, &end);
            if (*v == '\0' || *end != '\0' || !(warmup_seconds >= 0)) {
                fprintf(stderr, "invalid --warmup-seconds: '%s'\n", v);
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
        }
        else {
            fprintf(stderr, "unknown option: %s\n", a);
            bench_usage(argv[0], coll);
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
    }
    o->iters = iters;
    o->iters_large = iters_large > 0 ? iters_large : (iters / large_divisor > 0 ? iters / large_divisor : 1);
    o->skip = skip < 0 ? 0 : skip;
    o->skip_large = skip_large < 0 ? 0 : skip_large;
    o->warmup_seconds = warmup_seconds;
    o->nsizes = 0;
    char *copy = strdup(sizes);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        if (o->nsizes == MAX_SIZES) {
            fprintf(stderr, "too many sizes (max %d)\n", MAX_SIZES);
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
        o->sizes[o->nsizes++] = parse_positive(tok, "size");
    }
    free(copy);
    if (o->nsizes == 0) {
        fprintf(stderr, "--sizes is empty\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

static inline void bench_parse(int argc, char **argv, struct bench_opts *o,
                               int def_iters, int large_divisor, int def_skip, int def_skip_large) {
    bench_parse_ex(argc, argv, o, "8,1024,65536,1048576,4194304", 0,
                   def_iters, large_divisor, def_skip, def_skip_large);
}

static int bench_max_size(const struct bench_opts *o) {
    int m = 0;
    for (int i = 0; i < o->nsizes; i++)
        if (o->sizes[i] > m) m = o->sizes[i];
    return m;
}

static void *bench_alloc(size_t n, char fill) {
    void *p = NULL;
    if (posix_memalign(&p, 4096, n == 0 ? 1 : n) != 0) {
        fprintf(stderr, "cannot allocate %zu bytes\n", n);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    memset(p, fill, n);
    return p;
}

#endif
