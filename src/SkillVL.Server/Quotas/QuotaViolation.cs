namespace SkillVL.Server.Quotas;

/// <summary>A limit a change would break.</summary>
/// <param name="Scope">"user" or "course".</param>
/// <param name="Subject">The username or course name.</param>
/// <param name="Quota">"cpus", "memory", "disk" or "runningVms".</param>
public sealed record QuotaViolation(string Scope, string Subject, string Quota, long Limit, long WouldUse)
{
    public long Excess => WouldUse - Limit;

    public string Message
    {
        get
        {
            var (limit, use, excess) = Quota is "memory" or "disk"
                ? (Bytes(Limit), Bytes(WouldUse), Bytes(Excess))
                : (Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), WouldUse.ToString(System.Globalization.CultureInfo.InvariantCulture), Excess.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return $"The {Label} quota of {Scope} '{Subject}' would be exceeded by {excess}: the limit is {limit}, this would use {use}.";
        }
    }

    /// <summary>"256Mi" for round sizes, else "23.5 MiB" (a template's disk is rarely round).</summary>
    private static string Bytes(long bytes) =>
        bytes % (1 << 20) == 0
            ? Core.Quantities.MemoryQuantity.Format(bytes)
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");

    private string Label => Quota switch
    {
        "cpus" => "vCPU",
        "runningVms" => "running-VM",
        _ => Quota,
    };
}
