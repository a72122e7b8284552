using SkillVL.Core.Checkout;
using SkillVL.Core.Migration;

namespace SkillVL.Core.Nodes.Protocol;

/// <summary>Parameters of the check-out calls that take more than a VM id (<see cref="CheckoutMethods"/>).</summary>
public static class CheckoutCalls
{
    /// <summary>Export the VM's retained copy on <paramref name="ListenAddress"/>.</summary>
    public sealed record Export(string Id, string ListenAddress);

    /// <summary>Sync the VM's written blocks into <paramref name="Target"/> at most at <paramref name="Speed"/>.</summary>
    public sealed record Sync(string Id, RetainedExport Target, DataRate Speed);

    /// <summary>Renew the VM's lease for <paramref name="DurationSeconds"/> from the call's arrival, for check-out
    /// <paramref name="Epoch"/>.</summary>
    public sealed record RenewLease(string Id, int Epoch, double DurationSeconds);

    /// <summary>Fence the VM's copy if it belongs to <paramref name="Epoch"/> or an older one.</summary>
    public sealed record Fence(string Id, int Epoch);

    /// <summary>Delete the VM's fenced copy of <paramref name="Epoch"/>.</summary>
    public sealed record DiscardFenced(string Id, int Epoch);

    /// <summary>Send the VM's fenced copy of <paramref name="Epoch"/> to the Server's relay session <paramref name="Session"/>.</summary>
    public sealed record SendFenced(string Id, int Epoch, string Session);

    /// <summary>The agent connected the session and is sending <paramref name="Length"/> bytes.</summary>
    public sealed record FencedSent(long Length);
}
