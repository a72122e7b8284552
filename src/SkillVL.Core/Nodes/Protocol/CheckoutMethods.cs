namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The agent calls of <see cref="Checkout.IVmCheckoutDriver"/> (ADR 0021), beside <see cref="AgentMethods"/>.</summary>
public static class CheckoutMethods
{
    public const string Prefix = "checkouts.";
    public const string Retain = "checkouts.retain";
    public const string GetRetained = "checkouts.getRetained";
    public const string ExportRetained = "checkouts.exportRetained";
    public const string CloseRetainedExport = "checkouts.closeRetainedExport";
    public const string ReleaseRetained = "checkouts.releaseRetained";
    public const string StartTracking = "checkouts.startTracking";
    public const string GetTracking = "checkouts.getTracking";
    public const string Sync = "checkouts.sync";
    public const string RenewLease = "checkouts.renewLease";
    public const string GetLease = "checkouts.getLease";
    public const string Revive = "checkouts.revive";
    public const string Fence = "checkouts.fence";
    public const string DiscardFenced = "checkouts.discardFenced";

    /// <summary>Send a fenced copy's disk: the agent connects back to <see cref="AgentPaths.DiskRelay"/> and streams it
    /// (ADR 0044); the call's answer is <see cref="CheckoutCalls.FencedSent"/>, or null when there is no such copy.</summary>
    public const string SendFenced = "checkouts.sendFenced";
}
