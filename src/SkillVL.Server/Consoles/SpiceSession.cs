using System.Net;

namespace SkillVL.Server.Consoles;

/// <summary>
/// One browser's SPICE console (ADR 0056): a ticket redeemed once opens it, and it then admits the channel connections a
/// SPICE client opens to the same URL (main first, then display, inputs, cursor, …) — at most <see cref="MaxChannels"/>,
/// only from the address that redeemed the ticket, only while it is open. It is one <see cref="ConsoleSession"/> for the
/// registry (ADR 0046), so ending that (account disabled, machine deleted) ends every channel and admits no more.
/// </summary>
public sealed class SpiceSession
{
    /// <summary>A SPICE client opens main, display, inputs, cursor, and at most a few more (playback, record, ports).</summary>
    public const int MaxChannels = 8;

    private readonly SpiceSessions _registry;
    private readonly Lock _lock = new();
    private int _admitted;
    private int _open;
    private bool _closed;
    private bool _mainLinked;
    private uint? _sessionId;

    internal SpiceSession(SpiceSessions registry, string ticket, ConsoleGrant grant, IPAddress? address, ConsoleSession session)
    {
        _registry = registry;
        Ticket = ticket;
        Grant = grant;
        Address = address;
        Session = session;
        _admitted = 1;
        _open = 1;
    }

    internal string Ticket { get; }

    public ConsoleGrant Grant { get; }

    /// <summary>Where the ticket was redeemed from: every later channel must come from there too.</summary>
    public IPAddress? Address { get; }

    public ConsoleSession Session { get; }

    /// <summary>Admits one more channel connection from <paramref name="address"/>; release it with <see cref="Leave"/>.</summary>
    public bool TryJoin(IPAddress? address)
    {
        lock (_lock)
        {
            if (_closed || Session.EndReason is not null || _admitted >= MaxChannels || !Equals(address, Address))
            {
                return false;
            }

            _admitted++;
            _open++;
            return true;
        }
    }

    /// <summary>The id QEMU gave this session's main channel (SPICE_MSG_MAIN_INIT), once the gateway read it.</summary>
    public uint? SessionId
    {
        get
        {
            lock (_lock)
            {
                return _sessionId;
            }
        }
    }

    /// <summary>Records the session id QEMU named on the main channel (the first one counts).</summary>
    public void Named(uint sessionId)
    {
        lock (_lock)
        {
            _sessionId ??= sessionId;
        }
    }

    /// <summary>
    /// Why a connection may not link the channel, or null when it may: the main channel once, on the connection that
    /// redeemed the ticket (<paramref name="redeemer"/>), as a new session (connection id 0: another id would join a session
    /// QEMU already has); any other channel only with the session id QEMU gave that main channel, so a channel joins this
    /// session's client and no other.
    /// </summary>
    public string? RefuseLink(byte channelType, bool redeemer, uint connectionId)
    {
        lock (_lock)
        {
            if (channelType == SpiceLink.MainChannel)
            {
                if (_mainLinked || !redeemer)
                {
                    return $"SPICE channel {channelType} out of order";
                }

                if (connectionId != 0)
                {
                    return "the main channel must open a new SPICE session (connection id 0)";
                }

                _mainLinked = true;
                return null;
            }

            return _sessionId is not { } id
                ? $"SPICE channel {channelType} out of order (before the main channel named the session)"
                : connectionId != id
                    ? $"SPICE channel {channelType} names another session"
                    : null;
        }
    }

    /// <summary>One channel connection is over; the last one closes the session, which then admits nothing more.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            if (--_open > 0)
            {
                return;
            }

            _closed = true;
        }

        _registry.Remove(this);
        Session.Dispose();
    }
}
