using SkillVL.Core.Api.Identity;
using SkillVL.Server.Quotas;

namespace SkillVL.Server.Tests;

public sealed class QuotaCalculatorTests
{
    private static readonly MachineDemand Vm = new(1, 128L << 20, 20L << 20, Running: true);
    private static readonly MachineDemand StoppedVm = Vm with { Running = false };

    [Fact]
    public void Usage_SumsDefinedMachines_CountsOnlyRunningVms()
    {
        var usage = QuotaCalculator.Usage(new QuotaLimits(), [Vm, Vm, StoppedVm]);

        Assert.Equal((3, 384L << 20, 60L << 20, 2), (usage.Cpus, usage.MemoryBytes, usage.DiskBytes, usage.RunningVms));
    }

    [Theory]
    [InlineData(2, null, null, null, 3, "cpus", 1)]
    [InlineData(null, 300L << 20, null, null, 3, "memory", 84L << 20)]
    [InlineData(null, null, 40L << 20, null, 3, "disk", 20L << 20)]
    [InlineData(null, null, null, 2, 3, "runningVms", 1)]
    [InlineData(3, 384L << 20, 60L << 20, 3, 3, null, 0)]
    [InlineData(null, null, null, null, 50, null, 0)]
    public void Check_NamesTheFirstBrokenLimitAndExcess(int? cpus, long? memory, long? disk, int? running, int vms, string? quota, long excess)
    {
        var limits = new QuotaLimits(cpus, memory, disk, running);
        var before = QuotaCalculator.Usage(limits, []);
        var after = QuotaCalculator.Usage(limits, Enumerable.Repeat(Vm, vms));

        var violation = QuotaCalculator.Check("user", "sam", before, after);

        Assert.Equal(quota, violation?.Quota);
        Assert.Equal(excess, violation?.Excess ?? 0);
    }

    [Fact]
    public void Check_AlreadyOverALoweredLimit_ShrinkingOrStoppingIsAllowed()
    {
        var limits = new QuotaLimits(Cpus: 1, RunningVms: 1);
        var before = QuotaCalculator.Usage(limits, [Vm, Vm, Vm]);

        Assert.Null(QuotaCalculator.Check("user", "sam", before, QuotaCalculator.Usage(limits, [Vm, StoppedVm])));
        Assert.NotNull(QuotaCalculator.Check("user", "sam", before, QuotaCalculator.Usage(limits, [Vm, Vm, Vm, Vm])));
    }

    [Fact]
    public void Message_SaysWhoWhatAndHowMuch()
    {
        var violation = new QuotaViolation("course", "net101", "memory", 1L << 30, (1L << 30) + (256L << 20));

        Assert.Equal("The memory quota of course 'net101' would be exceeded by 256Mi: the limit is 1Gi, this would use 1280Mi.", violation.Message);
    }
}
