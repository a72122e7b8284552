using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

/// <summary>Bindable limits (configuration cannot bind a positional record).</summary>
public sealed class QuotaSettings
{
    public int? Cpus { get; set; }

    public long? MemoryBytes { get; set; }

    public long? DiskBytes { get; set; }

    public int? RunningVms { get; set; }

    public QuotaLimits ToLimits() => new(Cpus, MemoryBytes, DiskBytes, RunningVms);
}
