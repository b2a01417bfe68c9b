package io.cohort.head.node;

import io.cohort.head.store.JobStore;
import io.cohort.head.store.NodeRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The compute nodes and their states. A node is UP while it heartbeats, DRAINING while an operator keeps new work
 * away from it, DOWN after {@code heartbeatTimeout} without a heartbeat or when its link breaks. Known nodes are
 * loaded from the store at start, DOWN until they are heard from; the drained flag is stored.
 *
 * <pre>{@code
 * registry.join("n1", capacity, "10.0.0.5:7078", now);
 * List<String> lost = registry.sweep(now); // nodes that just went DOWN
 * }</pre>
 *
 * Thread-safe.
 */
public final class NodeRegistry
{
    private final JobStore store;
    private final Duration heartbeatTimeout;
    private final Map<String, Entry> nodes = new TreeMap<>();

    private static final class Entry
    {
        NodeCapacity capacity;
        String address;
        Instant lastSeen;
        boolean drained;
        boolean down = true;

        NodeStatus status(final String name)
        {
            final NodeState state = down ? NodeState.DOWN : drained ? NodeState.DRAINING : NodeState.UP;
            return new NodeStatus(name, state, capacity, address, lastSeen, drained);
        }
    }

    /**
     * A registry over the store's known nodes.
     *
     * @param store            where nodes and the drained flag are kept
     * @param heartbeatTimeout silence after which a node is DOWN
     */
    public NodeRegistry(final JobStore store, final Duration heartbeatTimeout)
    {
        this.store = store;
        this.heartbeatTimeout = heartbeatTimeout;
        for (final NodeRecord record : store.nodes())
        {
            final Entry entry = new Entry();
            entry.capacity = new NodeCapacity(record.slots(), record.cores(), record.memoryBytes(),
                record.transports());
            entry.address = record.address();
            entry.drained = record.drained();
            nodes.put(record.name(), entry);
        }
    }

    /**
     * A node joins or rejoins: it is UP (or DRAINING if it was drained).
     *
     * @param name     its name
     * @param capacity what it offers
     * @param address  where its agent listens, or null
     * @param now      when
     */
    public synchronized void join(final String name, final NodeCapacity capacity, final String address,
        final Instant now)
    {
        store.saveNode(new NodeRecord(name, false, capacity.slots(), capacity.cores(), capacity.memoryBytes(),
            capacity.transports(), address, now), now);
        final Entry entry = nodes.computeIfAbsent(name, n -> new Entry());
        entry.capacity = capacity;
        entry.address = address;
        entry.lastSeen = now;
        entry.down = false;
        entry.drained = store.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
            .map(NodeRecord::drained).orElse(false);
    }

    /**
     * A heartbeat.
     *
     * @param name the node
     * @param now  when
     * @return false if the node is unknown (it must join); a DOWN node that heartbeats again is UP again
     */
    public synchronized boolean heartbeat(final String name, final Instant now)
    {
        final Entry entry = nodes.get(name);
        if (entry == null)
        {
            return false;
        }
        if (entry.down)
        {
            entry.down = false;
            store.nodeEvent(name, entry.drained ? NodeState.DRAINING.name() : NodeState.UP.name(),
                "heartbeats again", now);
        }
        entry.lastSeen = now;
        return true;
    }

    /**
     * Marks silent nodes DOWN.
     *
     * @param now the time of the sweep
     * @return the nodes that went DOWN in this sweep
     */
    public synchronized List<String> sweep(final Instant now)
    {
        final List<String> lost = new ArrayList<>();
        for (final Map.Entry<String, Entry> node : nodes.entrySet())
        {
            final Entry entry = node.getValue();
            if (!entry.down && entry.lastSeen.plus(heartbeatTimeout).isBefore(now))
            {
                entry.down = true;
                lost.add(node.getKey());
                store.nodeEvent(node.getKey(), NodeState.DOWN.name(), "no heartbeat for " + heartbeatTimeout.toSeconds()
                    + " s", now);
            }
        }
        return lost;
    }

    /**
     * Marks a node DOWN at once (its link broke).
     *
     * @param name   the node
     * @param reason why
     * @param now    when
     * @return true if it was not DOWN already
     */
    public synchronized boolean lost(final String name, final String reason, final Instant now)
    {
        final Entry entry = nodes.get(name);
        if (entry == null || entry.down)
        {
            return false;
        }
        entry.down = true;
        store.nodeEvent(name, NodeState.DOWN.name(), reason, now);
        return true;
    }

    /**
     * Drains or resumes a node.
     *
     * @param name    the node
     * @param drained true to drain, false to resume
     * @param now     when
     * @return false if no such node is known
     */
    public synchronized boolean setDrained(final String name, final boolean drained, final Instant now)
    {
        final Entry entry = nodes.get(name);
        if (entry == null || !store.setDrained(name, drained, now))
        {
            return false;
        }
        entry.drained = drained;
        return true;
    }

    /**
     * One node.
     *
     * @param name the node
     * @return its status, or empty
     */
    public synchronized Optional<NodeStatus> node(final String name)
    {
        final Entry entry = nodes.get(name);
        return entry == null ? Optional.empty() : Optional.of(entry.status(name));
    }

    /**
     * Every known node.
     *
     * @return statuses by name
     */
    public synchronized List<NodeStatus> all()
    {
        final List<NodeStatus> all = new ArrayList<>();
        nodes.forEach((name, entry) -> all.add(entry.status(name)));
        return all;
    }
}
