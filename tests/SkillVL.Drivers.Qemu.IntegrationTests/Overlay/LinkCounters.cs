namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>The stats64 counters of one interface.</summary>
public sealed record LinkCounters(long RxPackets, long RxBytes, long TxPackets, long TxBytes);
