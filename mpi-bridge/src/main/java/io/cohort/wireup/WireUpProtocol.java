package io.cohort.wireup;

/**
 * The line protocol of the address exchange, one command per line (UTF-8):
 * <pre>
 *   rank -&gt; exchange:  HELLO token rank | PUT key value | FENCE | PROGRESS done total [:message]
 *   exchange -&gt; rank:  OK size | ERR reason | KV key value ... FENCED | ABORT reason
 * </pre>
 * After every rank has sent FENCE, the exchange answers each with every pair put so far, then FENCED. PROGRESS may
 * come at any time after HELLO and is not answered (rank 0 reports its job's progress; see {@link ProgressReport}).
 */
final class WireUpProtocol
{
    static final String HELLO = "HELLO";
    static final String PUT = "PUT";
    static final String FENCE = "FENCE";
    static final String OK = "OK";
    static final String ERR = "ERR";
    static final String KV = "KV";
    static final String FENCED = "FENCED";
    static final String ABORT = "ABORT";
    static final String PROGRESS = "PROGRESS";

    private WireUpProtocol()
    {
    }
}
