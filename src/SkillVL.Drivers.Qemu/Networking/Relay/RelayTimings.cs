namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// The relay's clocks (ADR 0019). Defaults suit a WAN link to a laptop: a dead connection is noticed within
/// <see cref="IdleTimeout"/> (TCP alone may take minutes when a NAT forgets the flow), reconnects back off up to
/// <see cref="MaxBackoff"/> so a hub that is down is not hammered by every laptop at once.
/// </summary>
public sealed record RelayTimings
{
    /// <summary>A side that sent nothing for this long sends a keepalive record. Default 5 s.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection that received nothing (not even a keepalive) for this long is closed. Default 15 s
    /// (three keepalives).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>TCP connect + TLS handshake + hello, each attempt. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before reconnecting; it doubles after each failed attempt. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before attempt <paramref name="failures"/> + 1 (pure): doubling from
    /// <see cref="InitialBackoff"/>, at most <see cref="MaxBackoff"/>.</summary>
    public TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var wait = InitialBackoff * factor;
        return wait > MaxBackoff ? MaxBackoff : wait;
    }
}
