namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// What a client's <see cref="RelayClientLink"/> carries frames to and from: the relay tap on the network's bridge
/// (<see cref="RelayPort"/>, ADR 0019) or the relay port of the agent's own switch in stream mode
/// (<see cref="Switching.RelaySwitchPort"/>, ADR 0052). The wire to the hub is the same for both.
/// </summary>
internal interface IRelayLinkPort
{
    /// <summary>The local end, for logs (a tap's name, or the switch's).</summary>
    string Name { get; }

    /// <summary>Carries frames between the local end and <paramref name="stream"/> until the connection ends; never
    /// throws for a broken connection.</summary>
    /// <returns>Why the connection ended.</returns>
    Task<string> RunAsync(System.IO.Stream stream, CancellationToken cancellationToken);
}
