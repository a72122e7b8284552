namespace SkillVL.Testbed.State;

/// <summary>
/// A client's link in testbed.json: skillvl-linkem relays between <see cref="ClientTap"/> (side A, moved into the
/// client's namespace as eth0) and <see cref="UnderlayTap"/> (side B, a port of the bridge); so the emulator's
/// aToB counters are the client's upload, bToA its download.
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
}
