package io.cohort.transport;

/**
 * The job-wide key-value exchange through which ranks find each other's addresses (PMI's put, fence, get).
 * Values put before a fence are visible to every rank after it.
 */
public interface AddressExchange
{
    /**
     * Publishes a value.
     *
     * @param key   a key unique in the job, without white space
     * @param value a value without line breaks
     */
    void put(String key, String value);

    /**
     * Reads a value published before the last fence.
     *
     * @param key the key
     * @return the value, or null if no rank published it
     */
    String get(String key);

    /** Waits until every rank of the job has reached the fence; afterwards all earlier puts are visible. */
    void fence();
}
