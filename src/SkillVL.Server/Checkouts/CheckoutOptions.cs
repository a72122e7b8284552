using SkillVL.Core.Checkout;
using SkillVL.Core.Migration;

namespace SkillVL.Server.Checkouts;

/// <summary>Settings of check-outs (section "SkillVL:Checkout", ADR 0023).</summary>
public sealed class CheckoutOptions
{
    /// <summary>
    /// How often the background sync copies a checked-out machine's changed blocks from its client into the retained copy
    /// on the server node: a lost laptop loses at most about this much work. Default 5 min; 10 s to 24 h.
    /// </summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most a sync may take of the client's link, as people write rates ("20Mbit", "5MiB/s"); "0" = unlimited. Default
    /// 20 Mbit/s: a student's home uplink stays usable while the laptop syncs. A sync started by hand (<c>POST .../sync</c>,
    /// <c>skillvl vm sync</c>) uses the same rate.
    /// </summary>
    public string SyncRate { get; set; } = "20Mbit";

    /// <summary>The longest one sync may run before it is cancelled (its blocks stay marked for the next). Default 1 h.</summary>
    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a checked-out machine's client may run it without hearing from the Server (ADR 0025): renewed while the
    /// client is online; when it runs out the client pauses the VM and the machine may be revived from its retained copy.
    /// A course may set its own (<c>checkoutLease</c>). Default 7 days; 10 s (tests) to 365 days.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromDays(7);

    /// <summary><see cref="SyncRate"/> parsed; <see cref="DataRate.Zero"/> for unlimited.</summary>
    public DataRate Rate => MigrationQuantities.TryParseRate(SyncRate, out var rate) ? rate : DataRate.Zero;

    /// <summary>The first setting that is not valid, or null (checked at start).</summary>
    public string? Invalid()
    {
        if (SyncInterval < TimeSpan.FromSeconds(10) || SyncInterval > TimeSpan.FromHours(24))
        {
            return nameof(SyncInterval);
        }

        if (SyncRate.Trim() != "0" && (!MigrationQuantities.TryParseRate(SyncRate, out var rate) || rate.BytesPerSecond <= 0))
        {
            return nameof(SyncRate);
        }

        if (!LeaseTerms.InRange(Lease))
        {
            return nameof(Lease);
        }

        return SyncTimeout < TimeSpan.FromSeconds(10) ? nameof(SyncTimeout) : null;
    }
}
