namespace SkillVL.Testbed.State;

/// <summary>
/// testbed.json: everything <c>up</c> made or was about to make, written after each step so that <c>down</c> can
/// remove a testbed whose <c>up</c> crashed half-way. Names are recorded before the object is created (a crash
/// between the two leaves a name that <c>down</c> finds absent, which is fine); a process is recorded right after
/// it started, with its start time, so a reused pid is never signalled.
/// </summary>
public sealed class TestbedState
{
    /// <summary>2 added NAT routers, cut links and the Server's nodes; version 1 files still load (those fields absent).</summary>
    public const int CurrentVersion = 2;

    public int Version { get; set; } = CurrentVersion;

    /// <summary><see cref="TestbedPhase"/>: creating, up, removing.</summary>
    public string Phase { get; set; } = TestbedPhase.Creating;

    public required string Prefix { get; set; }

    public required string Subnet { get; set; }

    /// <summary>The underlay bridge in the root namespace.</summary>
    public required string Bridge { get; set; }

    public required string BridgeAddress { get; set; }

    /// <summary>The ifalias of every root-namespace interface the testbed made; <c>down</c> leaves an interface with another alias alone.</summary>
    public required string Alias { get; set; }

    public required string StateDirectory { get; set; }

    /// <summary>Whether <c>up</c> created <see cref="StateDirectory"/> (then <c>down</c> removes it when it is empty).</summary>
    public bool StateDirectoryCreated { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The Server the agents were pointed at; null with --no-agents. <c>down</c> removes <see cref="ServerNodes"/> there.</summary>
    public string? Server { get; set; }

    /// <summary>
    /// The admin-token file <c>up</c> read (not the token: no secret is written here), so <c>down</c> can find the
    /// token the same way; null when <c>up</c> was given the token itself.
    /// </summary>
    public string? AdminTokenFile { get; set; }

    /// <summary>
    /// Nodes <c>up</c> started an agent for, so they may be enrolled at <see cref="Server"/>: recorded before the
    /// agent starts; <c>down</c> asks the Server to remove each (a 404 is fine) and drops it from the list.
    /// </summary>
    public List<string> ServerNodes { get; set; } = [];

    public List<NodeState> Nodes { get; set; } = [];
}
