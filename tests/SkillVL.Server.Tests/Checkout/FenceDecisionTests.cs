using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>The reconciler's choice for a VM no machine wants on a node (ADR 0025), and the clock check of a check-out.</summary>
public sealed class FenceDecisionTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Pending_OnTheFencedClient_IsTheFence()
    {
        var fence = Fence("vm1", "laptop1", 2, fencedAt: null);

        Assert.Same(fence, FenceDecision.Pending("vm1", "laptop1", [fence]));
    }

    [Fact]
    public void Pending_OnAnotherNode_OrAnotherVm_OrAlreadyFenced_IsAnOrdinaryOrphan()
    {
        FencedCopyEntity[] fences = [Fence("vm1", "laptop1", 2, fencedAt: null), Fence("vm2", "laptop2", 1, fencedAt: At)];

        Assert.Null(FenceDecision.Pending("vm1", "node1", fences));
        Assert.Null(FenceDecision.Pending("vm3", "laptop1", fences));
        Assert.Null(FenceDecision.Pending("vm2", "laptop2", fences));
    }

    [Fact]
    public void Pending_OfTwoRevives_IsTheNewestEpoch()
    {
        FencedCopyEntity[] fences = [Fence("vm1", "laptop1", 2, fencedAt: null), Fence("vm1", "laptop1", 5, fencedAt: null)];

        Assert.Equal(5, FenceDecision.Pending("vm1", "laptop1", fences)!.Epoch);
    }

    [Theory]
    [InlineData(null, null)] // an older agent: not known, not refused
    [InlineData(1.5, null)]
    [InlineData(-119.0, null)]
    [InlineData(121.0, "121 s ahead of")]
    [InlineData(-3600.0, "3600 s behind")]
    public void Checkout_ToAClientWithASkewedClock_Is400NamingToAndTheOffset(double? offset, string? refusal)
    {
        var answer = CheckoutRules.ClockRefusal("laptop1", offset);

        if (refusal is null)
        {
            Assert.Null(answer);
        }
        else
        {
            var error = Assert.Single(answer!.Errors!);
            Assert.Equal("to", error.Field);
            Assert.Contains(refusal, error.Message, StringComparison.Ordinal);
            Assert.Contains("laptop1", error.Message, StringComparison.Ordinal);
        }
    }

    private static FencedCopyEntity Fence(string vm, string node, int epoch, DateTimeOffset? fencedAt) =>
        new() { MachineId = vm, Node = node, Epoch = epoch, RevivedAt = At, RevivedBy = "alice", FencedAt = fencedAt };
}
