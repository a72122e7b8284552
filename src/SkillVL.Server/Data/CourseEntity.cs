namespace SkillVL.Server.Data;

public sealed class CourseEntity
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public string? Title { get; set; }

    /// <summary>The teacher who runs the course.</summary>
    public required string OwnerId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int? QuotaCpus { get; set; }

    public long? QuotaMemoryBytes { get; set; }

    public long? QuotaDiskBytes { get; set; }

    public int? QuotaRunningVms { get; set; }

    /// <summary>
    /// Whether a student may move their instance's machines onto their own client node (issue 12). Default false: the
    /// teacher decides whether the course's machines may leave the platform's servers.
    /// </summary>
    public bool AllowClientNodes { get; set; }

    /// <summary>The check-out lease of the course's instances in seconds (ADR 0025); null: the platform's
    /// <c>SkillVL:Checkout:Lease</c>.</summary>
    public long? CheckoutLeaseSeconds { get; set; }
}
