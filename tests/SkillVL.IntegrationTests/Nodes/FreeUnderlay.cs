using SkillVL.Testbed;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// The underlay /24 of a test's testbed: one not on this host now, in 198.18.100–159. CI runs the checkout bench's smoke
/// (its testbeds in 160–249) and the experiments' smoke (90–99) beside this group, so a random pick across the whole
/// range could take a subnet one of them is using.
/// </summary>
internal static class FreeUnderlay
{
    public static async Task<string> PickAsync() => (await FreeHostNames.PickAsync("it", 100, 159, CancellationToken.None)).Subnet;
}
