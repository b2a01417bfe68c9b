package io.cohort.node.protocol;

/**
 * The exchange that opens every agent link (launcher to agent, agent to head node): each side proves it holds the
 * cluster secret by signing the other's fresh nonce with HMAC-SHA256, so the secret never crosses the wire and a
 * recorded exchange cannot be replayed. The accepting side speaks first:
 *
 * <pre>
 *   acceptor: Hello(version, name, slots, free, nonceA)
 *   dialer:   Auth(version, mac(nonceA), nonceB)
 *   acceptor: Welcome(mac(nonceB))  or  Refused(reason)
 * </pre>
 *
 * <p>From then on every message of the link is sealed (AES-GCM) with a key derived from the secret and both nonces
 * ({@link MessageChannel#authenticate}).
 *
 * <p>Both sides check the protocol version before anything else. What a failure says depends on who the peers
 * are, so the callers word the refusals and the errors; this class only runs the exchange.
 *
 * <pre>{@code
 * // accepting (agent or head node)
 * Handshake.accept(channel, secret, hello, refusals);      // throws Handshake.Failure after sending Refused
 * // dialing (launcher or agent)
 * AgentMessage.Hello hello = Handshake.dial(channel, secret);
 * }</pre>
 */
public final class Handshake
{
    private Handshake()
    {
    }

    /** Why a handshake failed. */
    public enum Reason
    {
        /** The peer sent something other than the protocol's opening message. */
        NOT_COHORT,
        /** The peer speaks another protocol version. */
        PROTOCOL,
        /** The peer does not hold this cluster's secret. */
        WRONG_SECRET,
        /** The peer refused us (its reason is in the message). */
        REFUSED
    }

    /** A failed handshake: the reason, the message the caller words from it, and the peer's version if known. */
    public static final class Failure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final Reason reason;
        private final transient Object detail;

        Failure(final Reason reason, final Object detail)
        {
            super(reason + ": " + detail);
            this.reason = reason;
            this.detail = detail;
        }

        /**
         * Why it failed.
         *
         * @return the reason
         */
        public Reason reason()
        {
            return reason;
        }

        /**
         * What the caller needs to word the error: the peer's protocol version ({@link Reason#PROTOCOL}), the
         * refusal's text ({@link Reason#REFUSED}), the unexpected message's type ({@link Reason#NOT_COHORT}), or
         * nothing.
         *
         * @return the detail, or null
         */
        public Object detail()
        {
            return detail;
        }

        /**
         * The peer's protocol version, for {@link Reason#PROTOCOL}.
         *
         * @return the version, or -1 for other reasons
         */
        public int peerProtocol()
        {
            return detail instanceof Integer version ? version : -1;
        }
    }

    /** How the accepting side words its refusals; each is sent to the peer, which shows it to its user. */
    public interface Refusals
    {
        /**
         * The refusal of a peer of another protocol version.
         *
         * @param theirs the peer's version
         * @return the text
         */
        String protocol(int theirs);

        /**
         * The refusal of a peer that does not hold the secret.
         *
         * @return the text
         */
        String wrongSecret();
    }

    /**
     * Runs the accepting side: says hello, checks the peer's proof and answers it. On failure the peer has been sent
     * a {@link AgentMessage.Refused} with the caller's wording before this throws.
     *
     * @param channel  the new link
     * @param secret   this cluster's secret
     * @param name     this side's name, sent in the hello
     * @param slots    this side's slots, sent in the hello (0 for a head node)
     * @param free     this side's free slots, sent in the hello
     * @param refusals how to word a refusal
     * @throws Failure           if the peer is refused
     * @throws ProtocolException if the link breaks
     */
    public static void accept(final MessageChannel channel, final ClusterSecret secret, final String name,
        final int slots, final int free, final Refusals refusals)
    {
        final String nonce = ClusterSecret.nonce();
        channel.send(new AgentMessage.Hello(AgentProtocol.VERSION, name, slots, free, nonce));
        final AgentMessage first;
        try
        {
            first = channel.receive(AgentProtocol.MAX_HANDSHAKE_BYTES);
        }
        catch (final ProtocolException ex)
        {
            if (ex.peerProtocol() >= 0)
            {
                channel.send(new AgentMessage.Refused(refusals.protocol(ex.peerProtocol())));
                throw new Failure(Reason.PROTOCOL, ex.peerProtocol());
            }
            throw ex;
        }
        if (!(first instanceof AgentMessage.Auth auth))
        {
            channel.send(new AgentMessage.Refused("expected auth, got " + first.getClass().getSimpleName()));
            throw new Failure(Reason.NOT_COHORT, first.getClass().getSimpleName());
        }
        if (auth.protocol() != AgentProtocol.VERSION)
        {
            channel.send(new AgentMessage.Refused(refusals.protocol(auth.protocol())));
            throw new Failure(Reason.PROTOCOL, auth.protocol());
        }
        if (!secret.verify(nonce, auth.mac()))
        {
            channel.send(new AgentMessage.Refused(refusals.wrongSecret()));
            throw new Failure(Reason.WRONG_SECRET, null);
        }
        channel.send(new AgentMessage.Welcome(secret.sign(auth.nonce())));
        channel.authenticate(secret.linkKey(nonce, auth.nonce()), true);
    }

    /**
     * Runs the dialing side: checks the peer's hello, proves this side holds the secret and checks the peer's proof.
     *
     * @param channel the new link
     * @param secret  this cluster's secret
     * @return the peer's hello (its name and slots)
     * @throws Failure           if either side refuses the other
     * @throws ProtocolException if the link breaks
     */
    public static AgentMessage.Hello dial(final MessageChannel channel, final ClusterSecret secret)
    {
        final AgentMessage first = receiveFromStranger(channel);
        if (!(first instanceof AgentMessage.Hello hello))
        {
            throw new Failure(Reason.NOT_COHORT, first.getClass().getSimpleName());
        }
        if (hello.protocol() != AgentProtocol.VERSION)
        {
            throw new Failure(Reason.PROTOCOL, hello.protocol());
        }
        final String nonce = ClusterSecret.nonce();
        channel.send(new AgentMessage.Auth(AgentProtocol.VERSION, secret.sign(hello.nonce()), nonce));
        final AgentMessage answer = receiveFromStranger(channel);
        if (answer instanceof AgentMessage.Refused refused)
        {
            throw new Failure(Reason.REFUSED, refused.reason());
        }
        if (!(answer instanceof AgentMessage.Welcome welcome) || !secret.verify(nonce, welcome.mac()))
        {
            throw new Failure(Reason.WRONG_SECRET, null);
        }
        channel.authenticate(secret.linkKey(hello.nonce(), nonce), false);
        return hello;
    }

    /** A message from a peer not yet proven to hold the secret: small, and a version mismatch named as one. */
    private static AgentMessage receiveFromStranger(final MessageChannel channel)
    {
        try
        {
            return channel.receive(AgentProtocol.MAX_HANDSHAKE_BYTES);
        }
        catch (final ProtocolException ex)
        {
            if (ex.peerProtocol() >= 0)
            {
                throw new Failure(Reason.PROTOCOL, ex.peerProtocol());
            }
            throw ex;
        }
    }
}
