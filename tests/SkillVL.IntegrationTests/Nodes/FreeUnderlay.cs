using SkillVL.Testbed;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// The underlay /24 of a test's testbed: one not on this host now, in 198.18.100–159. CI runs the checkout bench's smoke
/// (its testbeds in 160–249), the experiments' smoke (90–99) and this project's Checkout namespace (130–159) beside the
/// rest of this project (100–129), so a random pick across the whole range could take a subnet another group is using
/// between its pick and its <c>up</c>.
/// </summary>
internal static class FreeUnderlay
{
    public static async Task<string> PickAsync() => (await FreeHostNames.PickAsync("it", 100, 129, CancellationToken.None)).Subnet;

    /// <summary>For the Checkout namespace's testbeds, which CI runs as a group of their own beside the others.</summary>
    public static async Task<string> PickForCheckoutAsync() => (await FreeHostNames.PickAsync("it", 130, 159, CancellationToken.None)).Subnet;
}
