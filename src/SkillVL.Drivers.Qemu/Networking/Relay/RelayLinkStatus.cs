namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>A client's relay of one network as it is now (for diagnostics and tests).</summary>
/// <param name="NetworkId">The room network.</param>
/// <param name="Hub">The hub node it joins.</param>
/// <param name="Connected">True while a connection is attached at the hub.</param>
/// <param name="LastError">Why the last attempt or connection ended; null before any failure.</param>
/// <param name="Counters">Frames and connections so far.</param>
public sealed record RelayLinkStatus(string NetworkId, string Hub, bool Connected, string? LastError, RelayCounters Counters);
