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
}
