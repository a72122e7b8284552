namespace SkillVL.Testbed.State;

/// <summary>
/// A client's link in testbed.json: skillvl-linkem relays between <see cref="ClientTap"/> (side A, moved into the
/// client's namespace as eth0) and <see cref="UnderlayTap"/> (side B, a port of the bridge); so the emulator's
/// aToB counters are the client's upload, bToA its download. Behind NAT side B is the router's inside leg instead.
/// </summary>
public sealed class ClientLinkState
{
    public required string Rate { get; set; }

    public required string Rtt { get; set; }

    public required string Loss { get; set; }

    public required string UnderlayTap { get; set; }

    public required string ClientTap { get; set; }

    /// <summary>The emulator's JSON lines (stdout) and messages (stderr).</summary>
    public required string Log { get; set; }

    public ProcessRecord? Emulator { get; set; }

    /// <summary>
    /// The bridge port the client's traffic enters the underlay through (the underlay tap, or behind NAT the router's
    /// outside veth); <c>link down</c> disables it. Null in states written before it existed: then <see cref="UnderlayTap"/>.
    /// </summary>
    public string? BridgePort { get; set; }

    /// <summary>Whether <c>link NAME down</c> cut the link (and no <c>link NAME up</c> restored it since).</summary>
    public bool Down { get; set; }
}
