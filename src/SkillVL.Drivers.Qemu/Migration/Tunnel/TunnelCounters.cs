namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>What one tunnel carried, over all its connections: the streams' own bytes and what crossed the link
/// (compressed; TLS framing not counted).</summary>
public sealed class TunnelCounters
{
    private long _rawSent;
    private long _rawReceived;
    private long _wireSent;
    private long _wireReceived;

    /// <summary>Bytes the local QEMU wrote into the tunnel.</summary>
    public long RawSent => Interlocked.Read(ref _rawSent);

    /// <summary>Bytes the tunnel delivered to the local QEMU.</summary>
    public long RawReceived => Interlocked.Read(ref _rawReceived);

    /// <summary>Compressed bytes sent to the other node.</summary>
    public long WireSent => Interlocked.Read(ref _wireSent);

    /// <summary>Compressed bytes received from the other node.</summary>
    public long WireReceived => Interlocked.Read(ref _wireReceived);

    internal void AddRawSent(long bytes) => Interlocked.Add(ref _rawSent, bytes);

    internal void AddRawReceived(long bytes) => Interlocked.Add(ref _rawReceived, bytes);

    internal void AddWireSent(long bytes) => Interlocked.Add(ref _wireSent, bytes);

    internal void AddWireReceived(long bytes) => Interlocked.Add(ref _wireReceived, bytes);
}
