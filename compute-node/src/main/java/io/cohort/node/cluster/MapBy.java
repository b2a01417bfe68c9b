package io.cohort.node.cluster;

/** How ranks are spread over hosts, as mpirun's {@code --map-by}. */
public enum MapBy
{
    /** Fill each host's slots before the next host: ranks 0..k-1 on the first host (the default). */
    SLOT,
    /** One rank per host in turn, round robin: rank 0 on the first host, rank 1 on the second. */
    NODE
}
