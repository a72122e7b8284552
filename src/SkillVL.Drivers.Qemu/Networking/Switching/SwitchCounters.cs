namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>What one network's <see cref="StreamSwitch"/> did with the frames its ports gave it.</summary>
public sealed class SwitchCounters
{
    private long _forwarded;
    private long _flooded;
    private long _filtered;
    private long _badSize;

    /// <summary>Frames sent to the one port their destination was learned on.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Frames sent to every other port (broadcast, multicast, unknown or aged-out destination).</summary>
    public long Flooded => Interlocked.Read(ref _flooded);

    /// <summary>Frames whose destination is behind the port they came from: never sent back (no hairpin).</summary>
    public long Filtered => Interlocked.Read(ref _filtered);

    /// <summary>Frames shorter than an Ethernet header or longer than the network's MTU + 18: dropped.</summary>
    public long BadSize => Interlocked.Read(ref _badSize);

    internal void CountForwarded() => Interlocked.Increment(ref _forwarded);

    internal void CountFlooded() => Interlocked.Increment(ref _flooded);

    internal void CountFiltered() => Interlocked.Increment(ref _filtered);

    internal void CountBadSize() => Interlocked.Increment(ref _badSize);
}
