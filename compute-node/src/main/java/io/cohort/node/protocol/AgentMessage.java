package io.cohort.node.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/**
 * The messages between a launcher (or head node) and a compute-node agent. One connection carries one job:
 * <pre>
 * agent    → launcher  Hello      (protocol version, agent name, slots, a nonce)
 * launcher → agent     Auth       (HMAC of the agent's nonce with the cluster secret, and a nonce of its own)
 * agent    → launcher  Welcome    (HMAC of the launcher's nonce: both sides hold the secret) or Refused
 * launcher → agent     Launch     (the job's share on this host, with the files to stage)
 * agent    → launcher  Launched or LaunchFailed, then Output and Exited per rank, then Done
 * launcher → agent     Kill       (any time)
 * both                 Ping       (every second; silence means the other side is lost)
 * </pre>
 * An agent that joins a head node dials it and keeps one connection for all its jobs: the head node speaks first
 * (Hello, Auth, Welcome as above with the roles swapped), the agent sends Join and then a Heartbeat every second;
 * the head node sends StartAttempt and Signal, the agent answers with AttemptStarted or AttemptFailed, then
 * AttemptOutput and AttemptExited.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AgentMessage.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = AgentMessage.Auth.class, name = "auth"),
    @JsonSubTypes.Type(value = AgentMessage.Welcome.class, name = "welcome"),
    @JsonSubTypes.Type(value = AgentMessage.Refused.class, name = "refused"),
    @JsonSubTypes.Type(value = AgentMessage.Launch.class, name = "launch"),
    @JsonSubTypes.Type(value = AgentMessage.Launched.class, name = "launched"),
    @JsonSubTypes.Type(value = AgentMessage.LaunchFailed.class, name = "launch-failed"),
    @JsonSubTypes.Type(value = AgentMessage.Output.class, name = "output"),
    @JsonSubTypes.Type(value = AgentMessage.Exited.class, name = "exited"),
    @JsonSubTypes.Type(value = AgentMessage.Done.class, name = "done"),
    @JsonSubTypes.Type(value = AgentMessage.Kill.class, name = "kill"),
    @JsonSubTypes.Type(value = AgentMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = AgentMessage.Join.class, name = "join"),
    @JsonSubTypes.Type(value = AgentMessage.Heartbeat.class, name = "heartbeat"),
    @JsonSubTypes.Type(value = AgentMessage.StartAttempt.class, name = "start-attempt"),
    @JsonSubTypes.Type(value = AgentMessage.AttemptStarted.class, name = "attempt-started"),
    @JsonSubTypes.Type(value = AgentMessage.AttemptFailed.class, name = "attempt-failed"),
    @JsonSubTypes.Type(value = AgentMessage.AttemptOutput.class, name = "attempt-output"),
    @JsonSubTypes.Type(value = AgentMessage.AttemptExited.class, name = "attempt-exited"),
    @JsonSubTypes.Type(value = AgentMessage.Signal.class, name = "signal")})
public sealed interface AgentMessage
{
    /**
     * The agent's greeting.
     *
     * @param protocol  the agent's protocol version
     * @param agent     the agent's name
     * @param slots     how many ranks the agent runs at once
     * @param freeSlots how many of them are free now
     * @param nonce     random bytes (hex) the launcher must sign
     */
    record Hello(int protocol, String agent, int slots, int freeSlots, String nonce) implements AgentMessage
    {
    }

    /**
     * The launcher's proof that it holds the cluster secret.
     *
     * @param protocol the launcher's protocol version
     * @param mac      HMAC-SHA256 of the agent's nonce (hex)
     * @param nonce    random bytes (hex) the agent must sign in turn
     */
    record Auth(int protocol, String mac, String nonce) implements AgentMessage
    {
    }

    /**
     * The agent accepts the launcher and proves it holds the secret too.
     *
     * @param mac HMAC-SHA256 of the launcher's nonce (hex)
     */
    record Welcome(String mac) implements AgentMessage
    {
    }

    /**
     * The agent refuses the connection; it closes it after this message.
     *
     * @param reason why, for the user
     */
    record Refused(String reason) implements AgentMessage
    {
    }

    /**
     * The order to start this host's share of a job.
     *
     * @param jobId       the job's id (names its shared-memory files)
     * @param size        ranks in the whole job
     * @param ranks       the ranks this agent starts
     * @param program     what the ranks run
     * @param arguments   the program's arguments
     * @param environment extra environment for the ranks
     * @param jvmOptions  options for the ranks' JVMs
     * @param wireUp      host:port of the job's address exchange, as reachable from this agent
     * @param token       the exchange's secret
     * @param keepWorkdir keep the job's working directory after the job (for debugging)
     * @param files       the program's files, staged into the job's working directory
     */
    record Launch(String jobId, int size, List<Integer> ranks, ProgramOrder program, List<String> arguments,
        Map<String, String> environment, List<String> jvmOptions, String wireUp, String token, boolean keepWorkdir,
        List<StagedFile> files) implements AgentMessage
    {
    }

    /**
     * Every rank of the order has started.
     *
     * @param workdir the job's working directory on the agent's host
     */
    record Launched(String workdir) implements AgentMessage
    {
    }

    /**
     * The order could not be carried out; nothing was started (or what was has been stopped).
     *
     * @param reason why, naming the value at fault
     */
    record LaunchFailed(String reason) implements AgentMessage
    {
    }

    /**
     * A line a rank wrote.
     *
     * @param rank   the rank
     * @param stderr true for standard error, false for standard output
     * @param line   the line, without its line break
     */
    record Output(int rank, boolean stderr, String line) implements AgentMessage
    {
    }

    /**
     * A rank ended.
     *
     * @param rank the rank
     * @param code its exit code (128 + signal when killed by a signal)
     */
    record Exited(int rank, int code) implements AgentMessage
    {
    }

    /** Every rank has ended and the agent has cleaned up after the job. */
    record Done() implements AgentMessage
    {
    }

    /**
     * Stop every rank of the job: SIGTERM, then SIGKILL after a grace period.
     *
     * @param reason why, for the agent's log
     */
    record Kill(String reason) implements AgentMessage
    {
    }

    /** Liveness: each side sends one every second. */
    record Ping() implements AgentMessage
    {
    }

    /**
     * What the ranks run, with paths relative to the job's working directory.
     *
     * @param kind       {@code jar}, {@code class} or {@code executable}
     * @param target     the jar's path, the main class, or the executable
     * @param classpath  classpath entries for {@code class}
     */
    record ProgramOrder(String kind, String target, List<String> classpath)
    {
    }

    /**
     * A file to write into the job's working directory.
     *
     * @param path    its path, relative and inside the working directory
     * @param content its bytes
     */
    record StagedFile(String path, byte[] content)
    {
    }

    /**
     * An agent joins a head node (first message after the handshake, and again after every reconnect).
     *
     * @param name        the agent's name
     * @param slots       ranks it runs at once
     * @param cores       its processor cores
     * @param memoryBytes its memory
     * @param transports  the transports its ranks offer
     * @param address     where it takes launch orders from launchers, for people
     * @param attempts    what it runs now, and the attempts that ended in the last two minutes (a head node that
     *                    died before committing an end hears it again)
     */
    record Join(String name, int slots, int cores, long memoryBytes, List<String> transports, String address,
        List<AttemptReport> attempts) implements AgentMessage
    {
    }

    /**
     * An agent's sign of life to its head node, with what it runs.
     *
     * @param attempts the attempts it has ranks of (running, or exited and not yet reported in a heartbeat)
     */
    record Heartbeat(List<AttemptReport> attempts) implements AgentMessage
    {
    }

    /**
     * The head node's order to start an agent's share of an attempt.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param launch  the share, as a launcher would order it
     */
    record StartAttempt(long jobId, int attempt, Launch launch) implements AgentMessage
    {
    }

    /**
     * The agent's ranks of an attempt run.
     *
     * @param jobId   the job
     * @param attempt the attempt
     */
    record AttemptStarted(long jobId, int attempt) implements AgentMessage
    {
    }

    /**
     * The agent could not start its share of an attempt.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param reason  why
     * @param busy    true if the agent had no room for it (its slots still held by ranks being stopped, or by a
     *                {@code cohort run} job): nothing of the attempt ran and the job is not at fault
     */
    record AttemptFailed(long jobId, int attempt, String reason, boolean busy) implements AgentMessage
    {
    }

    /**
     * A line a rank of an attempt wrote.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param rank    the rank
     * @param stderr  standard error rather than output
     * @param line    the line
     */
    record AttemptOutput(long jobId, int attempt, int rank, boolean stderr, String line) implements AgentMessage
    {
    }

    /**
     * A rank of an attempt ended.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param rank    the rank
     * @param code    its exit code
     */
    record AttemptExited(long jobId, int attempt, int rank, int code) implements AgentMessage
    {
    }

    /**
     * The head node's order to signal every rank of an attempt.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param kill    SIGKILL rather than SIGTERM
     */
    record Signal(long jobId, int attempt, boolean kill) implements AgentMessage
    {
    }

    /**
     * The ranks of one attempt on an agent.
     *
     * @param jobId     the job
     * @param attempt   the attempt
     * @param liveRanks ranks still running
     * @param exited    ranks that ended, with their exit codes
     */
    record AttemptReport(long jobId, int attempt, List<Integer> liveRanks, Map<Integer, Integer> exited)
    {
    }
}
