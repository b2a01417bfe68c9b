#!/usr/bin/env bash
# bench-vs-openmpi.sh — measure Cohort against its yardstick, Open MPI (C and its Java bindings),
# on this machine, in the same run, and report ratios. See /work/shared/BASELINES.md for the reference
# figures and docs/bench/ for saved results.
#
# Steps (idempotent; quiet when everything is already in place):
#   1. install openmpi-bin, libopenmpi-dev, dpkg-dev, gnuplot-nox (and gcc) from Debian if missing;
#   2. build Open MPI's Java bindings (mpi.jar) from Debian's source package with JDK >= 25, cached in
#      .cache/openmpi-java/ (deb-src is enabled in the apt sources when needed);
#   3. build the yardsticks in benchmarks/openmpi/{c,java} (OSU semantics) into .cache/bench-openmpi/;
#   4. run each suite (default: shm) for a few rounds, interleaving C, Java and Cohort, median per size;
#   5. run Cohort's own `./cohort bench latency|bandwidth --sizes LIST --iterations N` (suites shm, tcp)
#      or `./cohort bench allreduce|bcast|allgather|alltoall|barrier -n R ...` (suite coll);
#   6. print and save one table per measure, the raw outputs, and a plot (docs/bench/<suite>.png).
#
# Suites: shm and tcp (point-to-point, 2 ranks: latency and bandwidth) and coll (allreduce, bcast,
# allgather, alltoall and barrier with 2 and 4 ranks; see run_coll_suite).
# Adding a point-to-point suite: write suite_<name>() that fills SUITE_CONFIGS / SUITE_COHORT_ARGS and
# calls run_suite <name>; list it in KNOWN_SUITES. (tcp runs Cohort with -x COHORT_TRANSPORT=tcp.)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=$REPO_ROOT/.cache
OMPI_JAVA_DIR=$CACHE_DIR/openmpi-java   # Debian source package + mpi.jar
BUILD_DIR=$CACHE_DIR/bench-openmpi      # compiled yardsticks, scratch files of the last run
YARD_SRC=$REPO_ROOT/benchmarks/openmpi

DEFAULT_SIZES=8,1024,65536,1048576,4194304
COLL_DEFAULT_SIZES=8,64,512,4096,32768,262144,1048576
KNOWN_COLLECTIVES="allreduce bcast allgather alltoall barrier"
KNOWN_SUITES="shm tcp coll"
APT_PACKAGES=(openmpi-bin libopenmpi-dev dpkg-dev gnuplot-nox gcc)
TCP_MCA="--mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo"
SC_OFF_MCA="--mca btl_vader_single_copy_mechanism none"
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-900}   # seconds per mpirun / cohort invocation
COLL_TIMEOUT=${BENCH_COLL_TIMEOUT:-180} # the same for the coll suite (a run takes 2-20 s)

SIZES=$DEFAULT_SIZES
ROUNDS=3
LAT_ITERS=10000   # iterations for sizes <= 8 KiB; programs scale down for larger sizes (latency /10)
BW_ITERS=100      # iterations of a 64-message window for sizes <= 8 KiB (bandwidth /5 for larger)
COLL_SIZES=$COLL_DEFAULT_SIZES
COLL_RANKS=2,4
COLLECTIVES=allreduce,bcast,allgather,alltoall,barrier
COLL_ITERS=10000  # calls per size <= 8 KiB in the coll suite; a tenth (at least 10) above
# coll: untimed repetitions of the whole sweep first (Java and Cohort; C gets at most 1). 10 s, not 3: a sweep up to
# 8 MiB takes about 0.3 s, so 3 s gave its small sizes too few calls for the JIT (2-rank 64 B bcast: 0.54-1.07 us
# after 3 s, 0.22 us after 10 s, 0.15-0.17 us when the sweep stops at 2 MiB; measured before cohort bench had OSU's
# per-size skip, so part of that gap may have been the cache refill after the large sizes that the skip now absorbs).
WARMUP_SECONDS=10
P2P_WARMUP_SECONDS=10  # shm, tcp: the same for the Java yardsticks and Cohort (C has no JIT and gets none)
SUITES=shm
QUICK=0
WITH_COHORT=1
COHORT_BUFFER=""  # --cohort-buffer: ./cohort bench's --buffer in the coll suite (barrier aside); empty: its default
OUT_DIR=""

usage() {
    cat <<EOF
Usage: scripts/bench-vs-openmpi.sh [options]

Measures Cohort against Open MPI (C, and Java through Open MPI's own Java bindings) on one host with
OSU-style yardsticks, and prints one table per measure. Suites:
  shm   ping-pong latency and streaming bandwidth, 2 ranks, shared memory (default)
  tcp   the same over TCP loopback (Open MPI: ob1 + btl tcp; Cohort: --transport tcp)
  coll  allreduce (sum of doubles), bcast (from rank 0), allgather (size bytes from each rank), alltoall
        (size bytes to each rank) and barrier with 2 and 4 ranks (4 ranks on a 2-core machine run
        oversubscribed): the slowest rank's average time per call, in us

Options:
  --suites LIST           which suites to run, comma-separated: shm, tcp, coll (default shm)
  --rounds N              rounds per configuration; the table shows the median per size (default 3)
  --quick                 1 round and fewer iterations (latency 1000, bandwidth 20, coll 1000 with 1 s
                          of warm-up); results go to .cache/bench-openmpi/quick/ unless --out is given
  --no-cohort             only measure Open MPI
  --out DIR               where tables, raw outputs and plots go (default docs/bench)
  -h, --help              this text
 shm, tcp:
  --sizes LIST            message sizes in bytes, comma-separated (default $DEFAULT_SIZES)
  --lat-iterations N      latency iterations for sizes <= 8 KiB (default $LAT_ITERS; larger sizes get N/10)
  --bw-iterations N       bandwidth iterations for sizes <= 8 KiB (default $BW_ITERS; larger sizes get N/5)
 coll:
  --collectives LIST      which of allreduce, bcast, allgather, alltoall, barrier (default $COLLECTIVES)
  --coll-sizes LIST       message sizes in bytes (allgather: per rank; alltoall: per pair), multiples of 8
                          for allreduce
                          (default $COLL_DEFAULT_SIZES)
  --coll-ranks LIST       rank counts (default $COLL_RANKS); more ranks than cores ($(nproc 2>/dev/null || echo '?') here) run
                          with mpirun --oversubscribe
  --coll-iterations N     calls per size <= 8 KiB (default $COLL_ITERS; larger sizes get N/10, at least 10)
  --cohort-buffer KIND    coll suite: pass --buffer KIND (shared, native or heap) to ./cohort bench (not for
                          barrier); default: its own (shared; heap, double arrays, for allreduce)
  --warmup-seconds S      before timing, every program repeats its whole sweep untimed for S seconds
                          (default: coll $WARMUP_SECONDS, the C yardsticks at most 1; shm and tcp
                          $P2P_WARMUP_SECONDS for Java and Cohort, none for C: they have no JIT)

Needs root (or the Debian packages ${APT_PACKAGES[*]} already installed, and mpi.jar already
built), and a JDK >= 25 (JAVA_HOME, /usr/lib/jvm/*, or PATH).
Cohort's side runs, from the repo root:
  ./cohort bench latency   --sizes LIST --iterations N
  ./cohort bench bandwidth --sizes LIST --iterations N
  ./cohort bench allreduce -n R --sizes LIST --iterations N --warmup-seconds S
  ./cohort bench bcast     -n R --sizes LIST --iterations N --warmup-seconds S
  ./cohort bench allgather -n R --sizes LIST --iterations N --warmup-seconds S
  ./cohort bench alltoall  -n R --sizes LIST --iterations N --warmup-seconds S
  ./cohort bench barrier   -n R --iterations N --warmup-seconds S
each printing OSU format ('#' header lines, then rows of size and value; barrier: one value row).
Environment: BENCH_RUN_TIMEOUT (seconds per run, default 900; coll: BENCH_COLL_TIMEOUT, default 180),
BENCH_JAVA_OPTS (extra options for the Open MPI Java ranks' JVMs).
EOF
}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
is_uint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

parse_args() {
    local lat_set=0 bw_set=0 rounds_set=0 coll_iters_set=0 warmup_set=0
    while (($#)); do
        case $1 in
            --sizes) [[ ${2-} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--sizes wants a comma-separated list of positive integers, got '${2-}'"
                     SIZES=$2; shift ;;
            --rounds) is_uint "${2-}" || die "--rounds wants a positive integer, got '${2-}'"; ROUNDS=$2; rounds_set=1; shift ;;
            --lat-iterations) is_uint "${2-}" || die "--lat-iterations wants a positive integer"; LAT_ITERS=$2; lat_set=1; shift ;;
            --bw-iterations) is_uint "${2-}" || die "--bw-iterations wants a positive integer"; BW_ITERS=$2; bw_set=1; shift ;;
            --suites) [[ ${2-} =~ ^[a-z]+(,[a-z]+)*$ ]] || die "--suites wants a comma-separated list, got '${2-}'"
                      SUITES=$2; shift ;;
            --collectives) [[ ${2-} =~ ^[a-z]+(,[a-z]+)*$ ]] || die "--collectives wants a comma-separated list, got '${2-}'"
                           COLLECTIVES=$2; shift ;;
            --coll-sizes) [[ ${2-} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--coll-sizes wants a comma-separated list of positive integers, got '${2-}'"
                          COLL_SIZES=$2; shift ;;
            --coll-ranks) [[ ${2-} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--coll-ranks wants a comma-separated list of positive integers, got '${2-}'"
                          COLL_RANKS=$2; shift ;;
            --coll-iterations) is_uint "${2-}" || die "--coll-iterations wants a positive integer"; COLL_ITERS=$2; coll_iters_set=1; shift ;;
            --warmup-seconds) [[ ${2-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--warmup-seconds wants a number of seconds, got '${2-}'"
                              WARMUP_SECONDS=$2; P2P_WARMUP_SECONDS=$2; warmup_set=1; shift ;;
            --cohort-buffer) [[ ${2-} =~ ^(shared|native|heap)$ ]] || die "--cohort-buffer wants shared, native or heap, got '${2-}'"; COHORT_BUFFER=$2; shift ;;
            --quick) QUICK=1 ;;
            --no-cohort) WITH_COHORT=0 ;;
            --out) [[ -n ${2-} ]] || die "--out wants a directory"; OUT_DIR=$2; shift ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown option '$1'" ;;
        esac
        shift
    done
    if ((QUICK)); then
        ((lat_set)) || LAT_ITERS=1000
        ((bw_set)) || BW_ITERS=20
        ((rounds_set)) || ROUNDS=1
        ((coll_iters_set)) || COLL_ITERS=1000
        ((warmup_set)) || WARMUP_SECONDS=1
        ((warmup_set)) || P2P_WARMUP_SECONDS=1
        [[ -n $OUT_DIR ]] || OUT_DIR=$BUILD_DIR/quick
    fi
    [[ -n $OUT_DIR ]] || OUT_DIR=$REPO_ROOT/docs/bench
    local s
    for s in ${SUITES//,/ }; do
        [[ " $KNOWN_SUITES " == *" $s "* ]] || die "unknown suite '$s' (known: $KNOWN_SUITES)"
    done
    local c r
    for c in ${COLLECTIVES//,/ }; do
        [[ " $KNOWN_COLLECTIVES " == *" $c "* ]] || die "unknown collective '$c' (known: $KNOWN_COLLECTIVES)"
        if [[ $c == allreduce ]]; then
            for s in ${COLL_SIZES//,/ }; do
                ((s % 8 == 0)) || die "allreduce sums doubles: --coll-sizes must be multiples of 8, got $s"
            done
        fi
    done
    for r in ${COLL_RANKS//,/ }; do ((r >= 2)) || die "--coll-ranks: a collective needs at least 2 ranks, got $r"; done
}

# ---------------------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------------------
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
apt_update() {
    ((APT_UPDATED)) && return 0
    apt-get update -qq >"$BUILD_DIR/apt-update.log" 2>&1 \
        || die "apt-get update failed (see $BUILD_DIR/apt-update.log): $(tail -n 3 "$BUILD_DIR/apt-update.log")"
    APT_UPDATED=1
}

ensure_packages() {
    command -v dpkg-query >/dev/null || die "this script needs a Debian/Ubuntu system (dpkg-query not found)"
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}"
    log "installing ${missing[*]} from Debian"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$BUILD_DIR/apt-install.log" 2>&1 \
        || die "apt-get install ${missing[*]} failed (see $BUILD_DIR/apt-install.log): $(tail -n 3 "$BUILD_DIR/apt-install.log")"
}

# deb-src is needed only to fetch Open MPI's source (for its Java bindings).
have_openmpi_source() { apt-cache showsrc openmpi 2>/dev/null | grep -q '^Package: openmpi$'; }

enable_deb_src() {
    have_openmpi_source && return 0
    ((EUID == 0)) || die "apt has no deb-src entries for openmpi; run as root so the script can enable them"
    local deb822=/etc/apt/sources.list.d/debian.sources list=/etc/apt/sources.list changed=0
    if [[ -f $deb822 ]] && grep -qE '^Types:.*\bdeb\b' "$deb822" && ! grep -qE '^Types:.*deb-src' "$deb822"; then
        log "enabling deb-src in $deb822"
        cp -p "$deb822" "$BUILD_DIR/debian.sources.orig"
        sed -i -E '/^Types:/{/deb-src/!s/$/ deb-src/}' "$deb822"
        changed=1
    elif [[ -f $list ]] && grep -qE '^deb[[:space:]]' "$list" && ! grep -qE '^deb-src[[:space:]]' "$list"; then
        log "adding deb-src lines to $list"
        cp -p "$list" "$BUILD_DIR/sources.list.orig"
        local extra
        extra=$(grep -E '^deb[[:space:]]' "$list" | sed -E 's/^deb([[:space:]])/deb-src\1/')
        printf '%s\n' "$extra" >>"$list"
        changed=1
    fi
    ((changed)) || log "deb-src entries look present already; refreshing the apt indexes"
    APT_UPDATED=0
    apt_update
    have_openmpi_source || die "still no source package 'openmpi' after enabling deb-src; check /etc/apt/sources.list*"
}

# ---------------------------------------------------------------------------------------------------
# JDK >= 25
# ---------------------------------------------------------------------------------------------------
jdk_major() { # $1 = JDK home; prints the feature version or nothing
    local v=""
    if [[ -f $1/release ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
    elif [[ -x $1/bin/java ]]; then
        v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
    fi
    [[ $v == 1.* ]] && v=${v#1.}
    v=${v%%[.+-]*}
    [[ $v =~ ^[0-9]+$ ]] && echo "$v"
}

find_jdk_inline() {
    local c best="" best_v=0 v
    local candidates=()
    [[ -n ${JAVA_HOME-} ]] && candidates+=("$JAVA_HOME")
    for c in /usr/lib/jvm/*; do [[ -d $c && ! -L $c ]] && candidates+=("$c"); done
    if c=$(command -v javac 2>/dev/null); then candidates+=("$(dirname "$(dirname "$(readlink -f "$c")")")"); fi
    for c in "${candidates[@]}"; do
        [[ -x $c/bin/javac && -x $c/bin/java ]] || continue
        v=$(jdk_major "$c") || continue
        if ((v >= 25)); then
            # JAVA_HOME wins when it qualifies; otherwise take the newest
            if [[ $c == "${JAVA_HOME-}" ]]; then best=$c; break; fi
            ((v > best_v)) && { best=$c; best_v=$v; }
        fi
    done
    [[ -n $best ]] || die "no JDK >= 25 found (looked at \$JAVA_HOME, /usr/lib/jvm/*, javac on PATH); install one or set JAVA_HOME"
    export JAVA_HOME=$best
}

ensure_jdk() {
    if [[ -f $REPO_ROOT/scripts/lib/jdk.sh ]]; then
        # shellcheck source=/dev/null
        source "$REPO_ROOT/scripts/lib/jdk.sh"
        if declare -F cohort_find_jdk >/dev/null; then
            cohort_find_jdk || die "cohort_find_jdk (scripts/lib/jdk.sh) found no JDK >= 25"
        else
            find_jdk_inline
        fi
    else
        find_jdk_inline
    fi
    [[ -x ${JAVA_HOME-}/bin/javac ]] || die "JAVA_HOME=${JAVA_HOME-} has no bin/javac (need a JDK, not a JRE)"
    local v
    v=$(jdk_major "$JAVA_HOME") || true
    if [[ -z $v ]] || ((v < 25)); then die "JAVA_HOME=$JAVA_HOME is Java ${v:-?}; need >= 25"; fi
    JAVA=$JAVA_HOME/bin/java JAVAC=$JAVA_HOME/bin/javac JAR=$JAVA_HOME/bin/jar
    JAVA_FEATURE=$v
}

# ---------------------------------------------------------------------------------------------------
# 2. Open MPI's Java bindings
# ---------------------------------------------------------------------------------------------------
find_libmpi_java() { # sets OMPI_JAVA_LIBDIR to a directory holding libmpi_java.so
    local f
    f=$(dpkg -L libopenmpi-dev libopenmpi3 2>/dev/null | grep -E '/libmpi_java\.so$' | head -n 1 || true)
    if [[ -n $f && -e $f ]]; then OMPI_JAVA_LIBDIR=$(dirname "$f"); return; fi
    # Only the versioned library (no -dev): System.loadLibrary("mpi_java") wants libmpi_java.so.
    f=$(dpkg -L libopenmpi3 2>/dev/null | grep -E '/libmpi_java\.so\.[0-9]+$' | head -n 1 || true)
    [[ -n $f && -e $f ]] || die "libmpi_java.so not found in Debian's libopenmpi3/libopenmpi-dev (Open MPI built without Java?)"
    mkdir -p "$OMPI_JAVA_DIR/lib"
    ln -sf "$f" "$OMPI_JAVA_DIR/lib/libmpi_java.so"
    OMPI_JAVA_LIBDIR=$OMPI_JAVA_DIR/lib
}

build_mpi_jar() {
    local src_ver stamp want
    src_ver=$(dpkg-query -W -f='${source:Version}' libopenmpi3 2>/dev/null) || die "libopenmpi3 is not installed"
    OMPI_VERSION=$(dpkg-query -W -f='${Version}' openmpi-bin)
    MPI_JAR=$OMPI_JAVA_DIR/mpi.jar
    stamp=$OMPI_JAVA_DIR/mpi.jar.stamp
    want="openmpi $src_ver javac $JAVA_FEATURE"
    if [[ -f $MPI_JAR && -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi

    case ${src_ver%%-*} in
        4.1.*) ;;
        *) log "warning: Open MPI ${src_ver} is not 4.1.x; trying to build its Java bindings anyway" ;;
    esac
    log "building Open MPI $src_ver Java bindings (mpi.jar) in ${OMPI_JAVA_DIR#"$REPO_ROOT"/}"
    mkdir -p "$OMPI_JAVA_DIR"
    local upstream=${src_ver#*:}
    # Only ompi/mpi/java/java is kept from the source tree (the full tree is ~130 MB).
    local jsrc=$OMPI_JAVA_DIR/java-src-$upstream
    if [[ ! -f $jsrc/MPI.java ]]; then
        if [[ ! -f $OMPI_JAVA_DIR/openmpi_${upstream}.dsc ]]; then
            enable_deb_src
            (cd "$OMPI_JAVA_DIR" && apt-get source -qq --download-only -o APT::Sandbox::User=root "openmpi=$src_ver") \
                >"$OMPI_JAVA_DIR/apt-source.log" 2>&1 \
                || die "apt-get source openmpi=$src_ver failed (see $OMPI_JAVA_DIR/apt-source.log): $(tail -n 3 "$OMPI_JAVA_DIR/apt-source.log")"
        fi
        local tree=$OMPI_JAVA_DIR/openmpi-$upstream
        rm -rf "$tree" "$jsrc"
        (cd "$OMPI_JAVA_DIR" && dpkg-source -x "openmpi_${upstream}.dsc" "openmpi-$upstream") \
            >>"$OMPI_JAVA_DIR/apt-source.log" 2>&1 \
            || die "dpkg-source -x openmpi_${upstream}.dsc failed (see $OMPI_JAVA_DIR/apt-source.log)"
        [[ -f $tree/ompi/mpi/java/java/MPI.java ]] \
            || die "no ompi/mpi/java/java/MPI.java in Open MPI $upstream's source (Java bindings missing from this version?)"
        cp -r "$tree/ompi/mpi/java/java" "$jsrc"
        rm -rf "$tree"
    fi

    local work=$OMPI_JAVA_DIR/build
    rm -rf "$work" && mkdir -p "$work/src/mpi" "$work/classes"
    cp "$jsrc"/*.java "$work/src/mpi/"
    # Template sources (*.java.in) get configure's @VAR@ values; Open MPI 4.1 has none, but be ready.
    local f
    for f in "$jsrc"/*.java.in; do
        [[ -e $f ]] || continue
        local out
        out=$work/src/mpi/$(basename "${f%.in}")
        sed -e "s/@OMPI_MAJOR_VERSION@/${upstream%%.*}/g" -e "s/@OMPI_VERSION@/${upstream%%-*}/g" "$f" >"$out"
        grep -q '@[A-Z_]*@' "$out" && die "$(basename "$f") has configure substitutions this script does not know: $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
    done
    "$JAVAC" --release "$JAVA_FEATURE" -nowarn -encoding UTF-8 -d "$work/classes" "$work"/src/mpi/*.java \
        >"$work/javac.log" 2>&1 \
        || die "javac $JAVA_FEATURE could not compile Open MPI's Java bindings (see $work/javac.log): $(grep -m 3 error "$work/javac.log")"
    "$JAR" --create --file "$work/mpi.jar" -C "$work/classes" mpi || die "jar failed for mpi.jar"
    mv -f "$work/mpi.jar" "$MPI_JAR"
    echo "$want" >"$stamp"
}

# ---------------------------------------------------------------------------------------------------
# 3. Yardsticks
# ---------------------------------------------------------------------------------------------------
newer_than() { # $1 = target; true if any of the rest is newer (or target missing)
    local t=$1 f; shift
    [[ -e $t ]] || return 0
    for f in "$@"; do [[ $f -nt $t ]] && return 0; done
    return 1
}

build_yardsticks() {
    mkdir -p "$BUILD_DIR/c" "$BUILD_DIR/java"
    local p
    for p in osu_latency osu_bw osu_allreduce osu_bcast osu_allgather osu_alltoall osu_barrier; do
        if newer_than "$BUILD_DIR/c/$p" "$YARD_SRC/c/$p.c" "$YARD_SRC/c/osu_common.h" "$YARD_SRC/c/osu_coll.h"; then
            mpicc -O2 -Wall -o "$BUILD_DIR/c/$p" "$YARD_SRC/c/$p.c" 2>"$BUILD_DIR/c/$p.log" \
                || die "mpicc failed for benchmarks/openmpi/c/$p.c: $(head -n 5 "$BUILD_DIR/c/$p.log")"
        fi
    done
    local stamp=$BUILD_DIR/java/.built
    if newer_than "$stamp" "$YARD_SRC"/java/*.java "$MPI_JAR"; then
        rm -rf "$BUILD_DIR/java" && mkdir -p "$BUILD_DIR/java"
        "$JAVAC" --release "$JAVA_FEATURE" -cp "$MPI_JAR" -d "$BUILD_DIR/java" "$YARD_SRC"/java/*.java \
            2>"$BUILD_DIR/javac-yardsticks.log" \
            || die "javac failed for benchmarks/openmpi/java: $(head -n 5 "$BUILD_DIR/javac-yardsticks.log")"
        touch "$stamp"
    fi
}

# ---------------------------------------------------------------------------------------------------
# 4./5. Running
# ---------------------------------------------------------------------------------------------------
MPIRUN_BASE=()
setup_run() {
    MPIRUN_BASE=(mpirun -np 2)
    ((EUID == 0)) && MPIRUN_BASE+=(--allow-run-as-root)
    # shellcheck disable=SC2206  # BENCH_JAVA_OPTS is a deliberate word list
    JAVA_CMD=("$JAVA" ${BENCH_JAVA_OPTS-} --enable-native-access=ALL-UNNAMED
        "-Djava.library.path=$OMPI_JAVA_LIBDIR" -cp "$MPI_JAR:$BUILD_DIR/java")
}

osu_rows() { awk '$1 !~ /^#/ && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9.eE+-]+$/ { print $1, $2 }' "$@"; }

# run_openmpi MEASURE LANG "MCA FLAGS" OUTFILE — one mpirun of one yardstick
run_openmpi() {
    local measure=$1 lang=$2 mca=$3 out=$4 iters prog cmd=()
    if [[ $measure == latency ]]; then iters=$LAT_ITERS; else iters=$BW_ITERS; fi
    # shellcheck disable=SC2206  # MCA flags are a word list
    cmd=(timeout "$RUN_TIMEOUT" "${MPIRUN_BASE[@]}" $mca)
    if [[ $lang == c ]]; then
        [[ $measure == latency ]] && prog=osu_latency || prog=osu_bw
        cmd+=("$BUILD_DIR/c/$prog")
    else
        [[ $measure == latency ]] && prog=OsuLatency || prog=OsuBandwidth
        cmd+=("${JAVA_CMD[@]}" "$prog" --warmup-seconds "$P2P_WARMUP_SECONDS")
    fi
    cmd+=(--sizes "$SIZES" --iterations "$iters")
    echo "${cmd[*]}" >"$out.cmd"
    if ! "${cmd[@]}" >"$out" 2>"$out.err" || [[ -z $(osu_rows "$out") ]]; then
        printf '\n' >&2
        log "command: ${cmd[*]}"
        tail -n 15 "$out.err" >&2
        die "Open MPI $lang $measure run failed (output in $out, $out.err)"
    fi
}

COHORT_NOTE=""
cohort_check() {
    if ((!WITH_COHORT)); then COHORT_NOTE="Cohort: skipped (--no-cohort)"; return 1; fi
    if [[ ! -x $REPO_ROOT/cohort ]]; then COHORT_NOTE="Cohort: ./cohort not found at $REPO_ROOT/cohort (not built yet?)"; return 1; fi
    return 0
}

# run_cohort MEASURE OUTFILE EXTRA-ARGS... — returns 1 (and sets COHORT_NOTE) on failure
run_cohort() {
    local measure=$1 out=$2 iters; shift 2
    if [[ $measure == latency ]]; then iters=$LAT_ITERS; else iters=$BW_ITERS; fi
    local cmd=(./cohort bench "$measure" --sizes "$SIZES" --iterations "$iters" --warmup-seconds "$P2P_WARMUP_SECONDS" "$@")
    echo "${cmd[*]}" >"$out.cmd"
    local rc=0
    (cd "$REPO_ROOT" && timeout "$RUN_TIMEOUT" "${cmd[@]}") >"$out" 2>"$out.err" || rc=$?
    if ((rc != 0)); then
        COHORT_NOTE="Cohort: '${cmd[*]}' failed (exit $rc): $(grep -v '^[[:space:]]*$' "$out.err" | tail -n 1 | cut -c1-160)"
        return 1
    fi
    if [[ -z $(osu_rows "$out") ]]; then
        COHORT_NOTE="Cohort: '${cmd[*]}' printed no '<size> <value>' rows"
        return 1
    fi
    return 0
}

# median per size of the rows in the given files -> "size median" lines
medians() { osu_rows "$@" | median_rows; }

# "size value" lines on stdin -> "size median" lines
median_rows() {
    sort -k1,1n -k2,2g | awk '
        function flush() { if (n) { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; print size, m } }
        !started || $1 != size { flush(); size = $1; n = 0; started = 1 }
        { v[++n] = $2 }
        END { flush() }'
}

value_for() { awk -v s="$2" '$1 == s { print $2; found = 1; exit } END { if (!found) print "-" }' "$1"; }

human_size() {
    local s=$1
    if ((s >= 1048576 && s % 1048576 == 0)); then echo "$((s / 1048576))M"
    elif ((s >= 1024 && s % 1024 == 0)); then echo "$((s / 1024))K"
    else echo "$s"; fi
}

machine_summary() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname), ${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r)"
    echo "# Open MPI $OMPI_VERSION (Debian), Java $("$JAVA" -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/') ($JAVA_HOME)"
    if [[ -n $BUSY_NOTE ]]; then echo "# $BUSY_NOTE"; fi
}

# SUITE_CONFIGS entries: "id|lang|mca flags|column label" — C configs are merged into one "best" column.
# SUITE_COHORT_ARGS: extra arguments for ./cohort bench; SUITE_COHORT=0 when Cohort has no such mode yet.
run_suite() {
    local suite=$1 measure round entry id lang mca label
    local work=$BUILD_DIR/run/$suite
    rm -rf "$work" && mkdir -p "$work" "$OUT_DIR"
    local -A cohort_ok=()
    local cohort_note_lat="" cohort_note_bw=""
    for measure in latency bandwidth; do
        cohort_ok[$measure]=0
        if ((SUITE_COHORT)) && cohort_check; then cohort_ok[$measure]=1; else
            ((SUITE_COHORT)) || COHORT_NOTE="Cohort: no $suite mode wired in this script yet"
            [[ $measure == latency ]] && cohort_note_lat=$COHORT_NOTE || cohort_note_bw=$COHORT_NOTE
        fi
    done

    for ((round = 1; round <= ROUNDS; round++)); do
        for measure in latency bandwidth; do
            printf '[bench] %s %-9s round %d/%d:' "$suite" "$measure" "$round" "$ROUNDS" >&2
            for entry in "${SUITE_CONFIGS[@]}"; do
                IFS='|' read -r id lang mca label <<<"$entry"
                printf ' %s' "$id" >&2
                run_openmpi "$measure" "$lang" "$mca" "$work/$measure-$id-r$round.txt"
            done
            if ((cohort_ok[$measure])); then
                printf ' cohort' >&2
                if ! run_cohort "$measure" "$work/$measure-cohort-r$round.txt" "${SUITE_COHORT_ARGS[@]}"; then
                    cohort_ok[$measure]=0
                    printf ' (failed)' >&2
                    [[ $measure == latency ]] && cohort_note_lat=$COHORT_NOTE || cohort_note_bw=$COHORT_NOTE
                fi
            fi
            printf '\n' >&2
        done
    done

    [[ -n $cohort_note_lat ]] && log "$cohort_note_lat"
    [[ -n $cohort_note_bw && $cohort_note_bw != "$cohort_note_lat" ]] && log "$cohort_note_bw"
    for measure in latency bandwidth; do
        local note
        [[ $measure == latency ]] && note=$cohort_note_lat || note=$cohort_note_bw
        write_results "$suite" "$measure" "$work" "${cohort_ok[$measure]}" "$note"
    done
    plot_suite "$suite" "$work"
    log "saved $(realpath --relative-to="$PWD" "$OUT_DIR" 2>/dev/null || echo "$OUT_DIR")/$suite-{latency,bandwidth}.txt, $suite-*.raw.txt, $suite.png"
}

write_results() {
    local suite=$1 measure=$2 work=$3 have_cohort=$4 note=$5
    local entry id lang mca label f r size
    local c_ids=() c_labels=() j_ids=() j_labels=()
    for entry in "${SUITE_CONFIGS[@]}"; do
        IFS='|' read -r id lang mca label <<<"$entry"
        medians "$work/$measure-$id"-r*.txt >"$work/$measure-$id.med"
        if [[ $lang == c ]]; then c_ids+=("$id"); c_labels+=("$label"); else j_ids+=("$id"); j_labels+=("$label"); fi
    done
    if ((have_cohort)); then medians "$work/$measure-cohort"-r*.txt >"$work/$measure-cohort.med"; else : >"$work/$measure-cohort.med"; fi

    local unit fmt better pick
    if [[ $measure == latency ]]; then
        unit="one-way latency, us"; fmt="%.3f"; better="lower is better"; pick=min
    else
        unit="bandwidth, MB/s"; fmt="%.2f"; better="higher is better"; pick=max
    fi

    # raw outputs, in run order
    write_raw "$OUT_DIR/$suite-$measure.raw.txt" "suite $suite, $measure" "$work/$measure"

    # table: size, C best (+ which config), each Java config, Cohort, Cohort / best Java
    local table=$OUT_DIR/$suite-$measure.txt dat=$work/$measure.dat
    local sizes_arr
    IFS=',' read -r -a sizes_arr <<<"$SIZES"
    {
        echo "# Cohort vs Open MPI, $suite $measure ($unit, $better); median of $ROUNDS round(s), 2 ranks, one host"
        machine_summary
        for entry in "${SUITE_CONFIGS[@]}"; do
            IFS='|' read -r id lang mca label <<<"$entry"
            echo "# $id = $label${mca:+ [$mca]}$([[ $lang == c ]] && echo ' (C best = faster of the C rows)')"
        done
        if ((have_cohort)); then echo "# cohort = $(head -n 1 "$work/$measure-cohort-r1.txt.cmd")"; else echo "# ${note:-Cohort: not measured}"; fi
        echo "# full commands and every round's output: $suite-$measure.raw.txt"
        echo "# ratio = Cohort / best Open MPI Java ($better for Cohort: $([[ $pick == min ]] && echo '< 1 means Cohort is faster' || echo '> 1 means Cohort is faster'))"
        local hdr
        hdr=$(printf '%-10s %14s %-8s' "size" "C best" "(config)")
        for id in "${j_ids[@]}"; do hdr+=$(printf ' %14s' "$id"); done
        hdr+=$(printf ' %14s %12s' "cohort" "ratio")
        echo "$hdr"
        for size in "${sizes_arr[@]}"; do
            local cvals=() jvals=() cbest cidx jbest cohort ratio line v
            for id in "${c_ids[@]}"; do cvals+=("$(value_for "$work/$measure-$id.med" "$size")"); done
            for id in "${j_ids[@]}"; do jvals+=("$(value_for "$work/$measure-$id.med" "$size")"); done
            read -r cbest cidx < <(pick_best "$pick" "${cvals[@]}")
            read -r jbest _ < <(pick_best "$pick" "${jvals[@]}")
            cohort=$(value_for "$work/$measure-cohort.med" "$size")
            ratio=$(awk -v a="$cohort" -v b="$jbest" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else { r = a / b; printf (r >= 100 ? "%.0f" : r >= 1 ? "%.2f" : "%.3g"), r } }')
            line=$(printf '%-10s %14s %-8s' "$size" "$(fmtv "$fmt" "$cbest")" "${cidx:+(${c_ids[cidx]#c-})}")
            for v in "${jvals[@]}"; do line+=$(printf ' %14s' "$(fmtv "$fmt" "$v")"); done
            line+=$(printf ' %14s %12s' "$(fmtv "$fmt" "$cohort")" "$ratio")
            echo "$line"
        done
    } >"$table"
    cat "$table"
    echo

    # plot data: size, C best, Java configs..., Cohort ("-" = missing)
    {
        printf '"size" "C Open MPI (best)"'
        for label in "${j_labels[@]}"; do printf ' "%s"' "$label"; done
        printf ' "Cohort"\n'
        for size in "${sizes_arr[@]}"; do
            local cvals=() row cbest
            for id in "${c_ids[@]}"; do cvals+=("$(value_for "$work/$measure-$id.med" "$size")"); done
            read -r cbest _ < <(pick_best "$pick" "${cvals[@]}")
            row="$size $cbest"
            for id in "${j_ids[@]}"; do row+=" $(value_for "$work/$measure-$id.med" "$size")"; done
            row+=" $(value_for "$work/$measure-cohort.med" "$size")"
            echo "$row"
        done
    } >"$dat"
}

# shellcheck disable=SC2059  # the format is one of two fixed strings
fmtv() { if [[ $2 == - ]]; then echo -; else LC_ALL=C printf "$1" "$2"; fi; }

pick_best() { # min|max values... -> "best index" ("-" and empty index when none)
    local mode=$1; shift
    awk -v mode="$mode" 'BEGIN {
        best = ""; idx = ""
        for (i = 1; i < ARGC; i++) {
            v = ARGV[i]; if (v == "-") continue
            if (best == "" || (mode == "min" ? v + 0 < best + 0 : v + 0 > best + 0)) { best = v; idx = i - 1 }
        }
        print (best == "" ? "-" : best), idx; exit
    }' "$@"
}

plot_suite() {
    local suite=$1 work=$2 ncols xtics="" s
    local png=$OUT_DIR/$suite.png
    command -v gnuplot >/dev/null || { log "gnuplot not found; no plot"; return 0; }
    ncols=$(head -n 1 "$work/latency.dat" | grep -o '"[^"]*"' | wc -l)
    for s in ${SIZES//,/ }; do xtics+="${xtics:+, }\"$(human_size "$s")\" $s"; done
    gnuplot >"$work/gnuplot.log" 2>&1 <<EOF || { log "gnuplot failed (see $work/gnuplot.log); no plot"; return 0; }
set terminal pngcairo size 1400,560 font ",11"
set output "$png"
set datafile missing "-"
set key top left box opaque
set grid
set logscale x 2
set logscale y 10
set xtics ($xtics)
set xlabel "message size (bytes)"
set multiplot layout 1,2 title "Cohort vs Open MPI — $suite, 2 ranks, median of $ROUNDS round(s)"
set title "Latency (one-way, lower is better)"
set ylabel "µs"
plot for [i=2:$ncols] "$work/latency.dat" using 1:i with linespoints lw 2 pt 7 title columnheader(i)
set title "Bandwidth (higher is better)"
set ylabel "MB/s"
set key bottom right
plot for [i=2:$ncols] "$work/bandwidth.dat" using 1:i with linespoints lw 2 pt 7 title columnheader(i)
unset multiplot
EOF
}

# ---------------------------------------------------------------------------------------------------
# Suites
# ---------------------------------------------------------------------------------------------------
suite_shm() {
    SUITE_CONFIGS=(
        "c-default|c||C Open MPI, default (vader, CMA single copy)"
        "c-scoff|c|$SC_OFF_MCA|C Open MPI, single copy off"
        "java-default|java||Open MPI Java, default"
        "java-scoff|java|$SC_OFF_MCA|Open MPI Java, single copy off"
    )
    SUITE_COHORT=1
    SUITE_COHORT_ARGS=()
    run_suite shm
}

suite_tcp() {
    SUITE_CONFIGS=(
        "c-tcp|c|$TCP_MCA|C Open MPI, TCP loopback"
        "java-tcp|java|$TCP_MCA|Open MPI Java, TCP loopback"
    )
    SUITE_COHORT=1
    SUITE_COHORT_ARGS=(-x COHORT_TRANSPORT=tcp)
    run_suite tcp
}

# ---------------------------------------------------------------------------------------------------
# Suite coll: allreduce, bcast, allgather, alltoall, barrier with several rank counts
# ---------------------------------------------------------------------------------------------------
# Every program (C and Java yardsticks, ./cohort bench) measures the same way: each rank times a loop of
# the collective, and a row is the slowest rank's average time per call in us; before timing, the whole
# sweep is repeated untimed for --warmup-seconds. Open MPI runs in its default configuration (vader).
# COLL_CONFIGS entries: "id|lang|mca flags|column label", as SUITE_CONFIGS (C configs merge into "C best",
# Java configs each get a column and the ratio uses the best of them).
COLL_CONFIGS=(
    "c|c||C Open MPI, default (vader)"
    "java|java||Open MPI Java, default (vader)"
)

# collective rows: "size value", barrier's single "value" row becomes "0 value"
coll_rows() {
    awk '$1 ~ /^#/ { next }
        NF >= 2 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9.eE+-]+$/ { print $1, $2; next }
        NF == 1 && $1 ~ /^[0-9.eE+-]+$/ { print 0, $1 }' "$@"
}

coll_large_iters() { local n=$(($1 / 10)); echo $((n < 10 ? 10 : n)); }

coll_mpirun() { # $1 = ranks -> MPIRUN_COLL
    MPIRUN_COLL=(mpirun -np "$1")
    (($1 > $(nproc))) && MPIRUN_COLL+=(--oversubscribe)
    ((EUID == 0)) && MPIRUN_COLL+=(--allow-run-as-root)
    return 0
}

# the C yardsticks have no JIT: 1 s of untimed sweeps is plenty (page faults, caches, Open MPI's buffers)
# write_raw FILE DESCRIPTION PREFIX — every round's command and output (files PREFIX-*-rN.txt), in run order
write_raw() {
    local file=$1 description=$2 prefix=$3 r f
    {
        echo "# Raw outputs of scripts/bench-vs-openmpi.sh, $description ($ROUNDS rounds)"
        machine_summary
        for ((r = 1; r <= ROUNDS; r++)); do
            for f in "$prefix"-*-r"$r".txt; do
                [[ -e $f ]] || continue
                echo
                echo "## round $r: $(cat "$f.cmd")"
                cat "$f"
            done
        done
    } >"$file"
}

c_warmup_seconds() { awk -v s="$WARMUP_SECONDS" 'BEGIN { print (s > 1 ? 1 : s) }'; }
# JVM warm-up for RANKS ranks: with more ranks than cores every JVM's JIT competes for them and needs longer
# (measured: 4 Cohort ranks on 2 cores settle only after about 10 s); Java and Cohort get the same.
jvm_warmup_seconds() {
    if (($1 > $(nproc))); then awk -v s="$WARMUP_SECONDS" 'BEGIN { print (s < 10 ? 10 : s) }'; else echo "$WARMUP_SECONDS"; fi
}

# run_coll_openmpi COLLECTIVE LANG "MCA FLAGS" RANKS OUTFILE — one mpirun of one yardstick
run_coll_openmpi() {
    local coll=$1 lang=$2 mca=$3 ranks=$4 out=$5 prog warm cmd=()
    coll_mpirun "$ranks"
    # shellcheck disable=SC2206  # MCA flags are a word list
    cmd=(timeout "$COLL_TIMEOUT" "${MPIRUN_COLL[@]}" $mca)
    if [[ $lang == c ]]; then
        cmd+=("$BUILD_DIR/c/osu_$coll")
        warm=$(c_warmup_seconds)
    else
        case $coll in
            allreduce) prog=OsuAllreduce ;;
            bcast) prog=OsuBcast ;;
            allgather) prog=OsuAllgather ;;
            alltoall) prog=OsuAlltoall ;;
            barrier) prog=OsuBarrier ;;
        esac
        cmd+=("${JAVA_CMD[@]}" "$prog")
        warm=$(jvm_warmup_seconds "$ranks")
    fi
    [[ $coll == barrier ]] || cmd+=(--sizes "$COLL_SIZES")
    cmd+=(--iterations "$COLL_ITERS" --iterations-large "$(coll_large_iters "$COLL_ITERS")" --warmup-seconds "$warm")
    echo "${cmd[*]}" >"$out.cmd"
    local rc=0
    "${cmd[@]}" >"$out" 2>"$out.err" || rc=$?
    if ((rc != 0)) || [[ -z $(coll_rows "$out") ]]; then
        printf '\n' >&2
        log "command: ${cmd[*]}"
        tail -n 15 "$out.err" >&2
        ((rc == 124)) && log "timed out after ${COLL_TIMEOUT}s (BENCH_COLL_TIMEOUT)"
        die "Open MPI $lang $coll with $ranks ranks failed (output in $out, $out.err)"
    fi
}

# run_coll_cohort COLLECTIVE RANKS OUTFILE — returns 1 and sets COHORT_NOTE / COHORT_RC on failure
COHORT_RC=0
run_coll_cohort() {
    local coll=$1 ranks=$2 out=$3
    local cmd=(./cohort bench "$coll" -n "$ranks")
    [[ $coll == barrier ]] || cmd+=(--sizes "$COLL_SIZES")
    [[ $coll == barrier || -z $COHORT_BUFFER ]] || cmd+=(--buffer "$COHORT_BUFFER")
    cmd+=(--iterations "$COLL_ITERS" --warmup-seconds "$(jvm_warmup_seconds "$ranks")")
    echo "${cmd[*]}" >"$out.cmd"
    COHORT_RC=0
    (cd "$REPO_ROOT" && timeout "$COLL_TIMEOUT" "${cmd[@]}") >"$out" 2>"$out.err" || COHORT_RC=$?
    if ((COHORT_RC == 124)); then
        COHORT_NOTE="Cohort: '${cmd[*]}' timed out after ${COLL_TIMEOUT}s (BENCH_COLL_TIMEOUT)"
        return 1
    elif ((COHORT_RC != 0)); then
        COHORT_NOTE="Cohort: '${cmd[*]}' failed (exit $COHORT_RC): $(grep -v '^[[:space:]]*$' "$out.err" | tail -n 1 | cut -c1-160)"
        return 1
    fi
    if [[ -z $(coll_rows "$out") ]]; then
        COHORT_NOTE="Cohort: '${cmd[*]}' printed no result rows"
        return 1
    fi
    return 0
}

run_coll_suite() {
    local work=$BUILD_DIR/run/coll round coll ranks entry id lang mca label key
    rm -rf "$work" && mkdir -p "$work" "$OUT_DIR"
    local -A cohort_ok=() cohort_note=() hung=()
    for coll in ${COLLECTIVES//,/ }; do
        for ranks in ${COLL_RANKS//,/ }; do
            key=$coll-$ranks
            cohort_ok[$key]=0 cohort_note[$key]=""
            if cohort_check; then cohort_ok[$key]=1; else cohort_note[$key]=$COHORT_NOTE; fi
        done
    done

    for ((round = 1; round <= ROUNDS; round++)); do
        for coll in ${COLLECTIVES//,/ }; do
            printf '[bench] coll %-9s round %d/%d:' "$coll" "$round" "$ROUNDS" >&2
            for ranks in ${COLL_RANKS//,/ }; do
                key=$coll-$ranks
                for entry in "${COLL_CONFIGS[@]}"; do
                    IFS='|' read -r id lang mca label <<<"$entry"
                    printf ' %s' "$id$ranks" >&2
                    run_coll_openmpi "$coll" "$lang" "$mca" "$ranks" "$work/$key-$id-r$round.txt"
                done
                if ((cohort_ok[$key])) && [[ -n ${hung[$ranks]-} ]]; then
                    # a hang at this rank count (timeout) is not retried with the next collectives
                    cohort_ok[$key]=0
                    cohort_note[$key]="Cohort: not run with $ranks ranks after ${hung[$ranks]}"
                fi
                if ((cohort_ok[$key])); then
                    printf ' cohort%s' "$ranks" >&2
                    if ! run_coll_cohort "$coll" "$ranks" "$work/$key-cohort-r$round.txt"; then
                        cohort_ok[$key]=0
                        cohort_note[$key]=$COHORT_NOTE
                        rm -f "$work/$key-cohort-r"*.txt   # no partial medians
                        if ((COHORT_RC == 124)); then
                            printf ' (timed out)' >&2
                            hung[$ranks]="'./cohort bench $coll -n $ranks' timed out (${COLL_TIMEOUT}s)"
                        else
                            printf ' (failed)' >&2
                        fi
                    fi
                fi
            done
            printf '\n' >&2
        done
    done

    local seen="" note
    for coll in ${COLLECTIVES//,/ }; do
        for ranks in ${COLL_RANKS//,/ }; do
            note=${cohort_note[$coll-$ranks]}
            if [[ -n $note && $seen != *"$note"* ]]; then log "$note"; seen+="$note"$'\n'; fi
        done
    done
    for coll in ${COLLECTIVES//,/ }; do
        for ranks in ${COLL_RANKS//,/ }; do
            key=$coll-$ranks
            write_coll_results "$coll" "$ranks" "$work" "${cohort_ok[$key]}" "${cohort_note[$key]}"
        done
    done
    plot_coll "$work"
    log "saved $(realpath --relative-to="$PWD" "$OUT_DIR" 2>/dev/null || echo "$OUT_DIR")/coll-<collective>-<ranks>.txt, coll-*.raw.txt, coll.png"
}

write_coll_results() {
    local coll=$1 ranks=$2 work=$3 have_cohort=$4 note=$5
    local key=$coll-$ranks entry id lang mca label f r size
    local c_ids=() j_ids=()
    for entry in "${COLL_CONFIGS[@]}"; do
        IFS='|' read -r id lang mca label <<<"$entry"
        coll_rows "$work/$key-$id"-r*.txt | median_rows >"$work/$key-$id.med"
        if [[ $lang == c ]]; then c_ids+=("$id"); else j_ids+=("$id"); fi
    done
    if ((have_cohort)); then coll_rows "$work/$key-cohort"-r*.txt | median_rows >"$work/$key-cohort.med"
    else : >"$work/$key-cohort.med"; fi

    local what
    case $coll in
        allreduce) what="allreduce, sum of doubles" ;;
        bcast) what="bcast of bytes from rank 0" ;;
        allgather) what="allgather, size bytes from every rank" ;;
        alltoall) what="alltoall, size bytes to every rank" ;;
        barrier) what="barrier" ;;
    esac

    # raw outputs, in run order
    write_raw "$OUT_DIR/coll-$key.raw.txt" "suite coll, $coll with $ranks ranks" "$work/$key"

    local sizes_arr=(0)
    [[ $coll == barrier ]] || IFS=',' read -r -a sizes_arr <<<"$COLL_SIZES"
    local table=$OUT_DIR/coll-$key.txt dat=$work/$key.dat
    local over=""
    ((ranks > $(nproc))) && over=" (oversubscribed: $(nproc) cores)"
    {
        echo "# Cohort vs Open MPI, $what, $ranks ranks$over, one host:"
        echo "# the slowest rank's average time per call (us, lower is better); median of $ROUNDS round(s)"
        machine_summary
        for entry in "${COLL_CONFIGS[@]}"; do
            IFS='|' read -r id lang mca label <<<"$entry"
            echo "# $id = $label${mca:+ [$mca]}: $(sed "s|$BUILD_DIR/||; s|-cp [^ ]*|-cp ...|; s|-Djava.library.path=[^ ]* ||" "$work/$key-$id-r1.txt.cmd")"
        done
        if ((have_cohort)); then echo "# cohort = $(cat "$work/$key-cohort-r1.txt.cmd")"; else echo "# ${note:-Cohort: not measured}"; fi
        echo "# full commands and every round's output: coll-$key.raw.txt"
        echo "# ratio = Cohort / best Open MPI Java (lower is better for Cohort: < 1 means Cohort is faster)"
        local hdr
        hdr=$(printf '%-10s' "size")
        for id in "${c_ids[@]}"; do hdr+=$(printf ' %12s' "$id"); done
        for id in "${j_ids[@]}"; do hdr+=$(printf ' %12s' "$id"); done
        hdr+=$(printf ' %12s %10s' "cohort" "ratio")
        echo "$hdr"
        for size in "${sizes_arr[@]}"; do
            local vals=() jvals=() jbest cohort ratio line v
            for id in "${c_ids[@]}"; do vals+=("$(value_for "$work/$key-$id.med" "$size")"); done
            for id in "${j_ids[@]}"; do jvals+=("$(value_for "$work/$key-$id.med" "$size")"); done
            read -r jbest _ < <(pick_best min "${jvals[@]}")
            cohort=$(value_for "$work/$key-cohort.med" "$size")
            ratio=$(awk -v a="$cohort" -v b="$jbest" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else { r = a / b; printf (r >= 100 ? "%.0f" : r >= 1 ? "%.2f" : "%.3g"), r } }')
            if [[ $coll == barrier ]]; then line=$(printf '%-10s' "-"); else line=$(printf '%-10s' "$size"); fi
            for v in "${vals[@]}" "${jvals[@]}"; do line+=$(printf ' %12s' "$(fmtv "%.3f" "$v")"); done
            line+=$(printf ' %12s %10s' "$(fmtv "%.3f" "$cohort")" "$ratio")
            echo "$line"
        done
    } >"$table"
    cat "$table"
    echo

    # plot data: size, C best, best Java, Cohort ("-" = missing)
    for size in "${sizes_arr[@]}"; do
        local cvals=() jvals=() cbest jbest
        for id in "${c_ids[@]}"; do cvals+=("$(value_for "$work/$key-$id.med" "$size")"); done
        for id in "${j_ids[@]}"; do jvals+=("$(value_for "$work/$key-$id.med" "$size")"); done
        read -r cbest _ < <(pick_best min "${cvals[@]}")
        read -r jbest _ < <(pick_best min "${jvals[@]}")
        echo "$size $cbest $jbest $(value_for "$work/$key-cohort.med" "$size")"
    done >"$dat"
}

plot_coll() {
    local work=$1 png=$OUT_DIR/coll.png coll ranks xtics="" s panels=0 script
    command -v gnuplot >/dev/null || { log "gnuplot not found; no plot"; return 0; }
    local -a ranks_arr
    IFS=',' read -r -a ranks_arr <<<"$COLL_RANKS"
    for s in ${COLL_SIZES//,/ }; do xtics+="${xtics:+, }\"$(human_size "$s")\" $s"; done
    for coll in ${COLLECTIVES//,/ }; do panels=$((panels + 1)); done
    # implementations: colour; rank counts: dash type and point type
    local -a impl=("C Open MPI" "Open MPI Java" "Cohort") colour=("#1f77b4" "#ff7f0e" "#2ca02c")
    script=$work/coll.gp
    {
        echo "set terminal pngcairo size $((panels * 560)),560 font \",11\""
        echo "set output \"$png\""
        echo 'set datafile missing "-"'
        echo "set multiplot layout 1,$panels title \"Cohort vs Open MPI — collectives, one host ($(nproc) cores), median of $ROUNDS round(s); slowest rank's average per call, lower is better\""
        for coll in ${COLLECTIVES//,/ }; do
            echo "reset"
            echo 'set datafile missing "-"'
            echo "set grid"
            echo "set logscale y 10"
            echo "set ylabel \"µs per call\""
            if [[ $coll == barrier ]]; then
                # clustered bars: one cluster per rank count, one bar per implementation
                local bar=$work/barrier.dat
                {
                    printf '"ranks" "%s" "%s" "%s"\n' "${impl[@]}"
                    for ranks in "${ranks_arr[@]}"; do
                        printf '"%s ranks" %s\n' "$ranks" "$(cut -d' ' -f2- "$work/barrier-$ranks.dat")"
                    done
                } >"$bar"
                echo "set title \"barrier\""
                echo "set style data histograms"
                echo "set style histogram clustered gap 1"
                echo "set style fill solid 0.8 border -1"
                echo "set boxwidth 0.9"
                echo "set key top left box opaque"
                echo "set yrange [0.01:*]"
                local absent="" i
                for ranks in "${ranks_arr[@]}"; do
                    for i in 0 1 2; do
                        if [[ $(cut -d' ' -f$((i + 2)) "$work/barrier-$ranks.dat") == - ]]; then
                            absent+="${absent:+, }${impl[i]} with $ranks ranks"
                        fi
                    done
                done
                [[ -z $absent ]] || echo "set label \"not measured: $absent\" at graph 0.98, 0.96 right front font \",9\""
                echo "plot for [i=2:4] \"$bar\" using i:xtic(1) title columnheader(i) lc rgb word(\"${colour[*]}\", i - 1)"
            else
                echo "set title \"$coll\""
                echo "set logscale x 2"
                echo "set xtics ($xtics)"
                echo "set xlabel \"message size (bytes)\""
                echo "set key top left box opaque"
                local plots="" absent="" k i
                for k in "${!ranks_arr[@]}"; do
                    ranks=${ranks_arr[k]}
                    for i in 0 1 2; do
                        if awk -v c=$((i + 2)) '$c != "-" { found = 1 } END { exit found }' "$work/$coll-$ranks.dat"; then
                            absent+="${absent:+, }${impl[i]} with $ranks ranks"
                        fi
                        plots+="${plots:+, }\"$work/$coll-$ranks.dat\" using 1:$((i + 2)) with linespoints lw 2 lc rgb \"${colour[i]}\" dt $((k + 1)) pt $((k == 0 ? 7 : 5)) title \"${impl[i]}, $ranks ranks\""
                    done
                done
                [[ -z $absent ]] || echo "set label \"not measured: $absent (see coll-$coll-*.txt)\" at graph 0.98, 0.04 right font \",9\""
                echo "plot $plots"
            fi
        done
        echo "unset multiplot"
    } >"$script"
    gnuplot "$script" >"$work/gnuplot.log" 2>&1 || { log "gnuplot failed (see $work/gnuplot.log); no plot"; return 0; }
}

suite_coll() { run_coll_suite; }

BUSY_NOTE=""
# Other work on the machine skews everything on 2 cores: sample the CPU for a second and say so.
warn_if_busy() {
    local a b busy
    a=$(head -n 1 /proc/stat 2>/dev/null) || return 0
    sleep 1
    b=$(head -n 1 /proc/stat)
    busy=$(awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x); split(b, y); tot = 0
        for (i = 2; i <= n; i++) tot += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        printf "%d", (tot > 0 ? 100 * (tot - idle) / tot : 0) }')
    if ((busy > 25)); then
        BUSY_NOTE="warning: the CPUs were ${busy}% busy with other work when the run started; numbers are noisy"
        log "$BUSY_NOTE"
    fi
}

main() {
    parse_args "$@"
    mkdir -p "$BUILD_DIR"
    ensure_packages
    ensure_jdk
    build_mpi_jar
    find_libmpi_java
    build_yardsticks
    setup_run
    warn_if_busy
    local s
    for s in ${SUITES//,/ }; do "suite_$s"; done
}

main "$@"
