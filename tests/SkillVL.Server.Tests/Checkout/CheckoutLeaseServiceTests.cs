using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>The Server's side of leases (ADR 0025) against fake nodes: the machine is checked out to "src" (epoch 2).</summary>
public sealed class CheckoutLeaseServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Renew_NeverRenewed_CallsTheClient_AndCountsFromTheAnswer()
    {
        await using var harness = new MigrationRunnerHarness();
        var client = await CheckedOutAsync(harness, leaseExpiresAt: null);
        harness.Options.Value.Checkout.Lease = TimeSpan.FromSeconds(40);
        var before = DateTimeOffset.UtcNow;

        await Service(harness).RenewDueAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(["src:checkouts.RenewLease"], harness.Log.Steps);
        Assert.Equal(TimeSpan.FromSeconds(40), client.RenewedFor);
        var expires = (await harness.MachineAsync()).CheckoutLeaseExpiresAt!.Value;
        Assert.InRange(expires, before.AddSeconds(40), DateTimeOffset.UtcNow.AddSeconds(40));
    }

    [Fact]
    public async Task Renew_TheCoursesLease_WinsOverThePlatforms()
    {
        await using var harness = new MigrationRunnerHarness();
        var client = await CheckedOutAsync(harness, leaseExpiresAt: null);
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            db.Courses.Add(new CourseEntity { Id = "c1", Name = "net101", OwnerId = "t1", CreatedAt = DateTimeOffset.UtcNow, CheckoutLeaseSeconds = 2 * 86400 });
            await db.SaveChangesAsync();
            await db.Rooms.ExecuteUpdateAsync(s => s.SetProperty(r => r.CourseId, "c1"));
        }

        await Service(harness).RenewDueAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(TimeSpan.FromDays(2), client.RenewedFor);
    }

    [Fact]
    public async Task Renew_NotDueYet_CallsNobody()
    {
        await using var harness = new MigrationRunnerHarness();
        var expires = WholeSeconds(DateTimeOffset.UtcNow.AddDays(7).AddSeconds(-10)); // renewed 10 s ago with the 7-day default
        await CheckedOutAsync(harness, expires);

        await Service(harness).RenewDueAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Empty(harness.Log.Steps);
        Assert.Equal(expires, (await harness.MachineAsync()).CheckoutLeaseExpiresAt);
    }

    [Fact]
    public async Task Renew_LostOnTheWay_MovesTheServersEndAsIfItHadArrived()
    {
        await using var harness = new MigrationRunnerHarness();
        var client = await CheckedOutAsync(harness, leaseExpiresAt: null);
        client.RenewLost = true; // a transient failure: the call may have reached the client
        harness.Options.Value.Checkout.Lease = TimeSpan.FromSeconds(40);
        var before = DateTimeOffset.UtcNow;

        await Service(harness).RenewDueAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.True((await harness.MachineAsync()).CheckoutLeaseExpiresAt >= before.AddSeconds(40));
    }

    [Fact]
    public async Task Renew_RefusedByTheClient_ExtendsNothing()
    {
        await using var harness = new MigrationRunnerHarness();
        var expired = WholeSeconds(DateTimeOffset.UtcNow.AddSeconds(-1));
        var client = await CheckedOutAsync(harness, expired);
        client.RenewRefused = true;

        await Service(harness).RenewDueAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(expired, (await harness.MachineAsync()).CheckoutLeaseExpiresAt);
    }

    [Theory]
    [InlineData(null, 604800, true)] // never renewed
    [InlineData(604800 - 59, 604800, false)] // renewed 59 s ago; a 7-day lease is renewed every minute
    [InlineData(604800 - 60, 604800, true)]
    [InlineData(40 - 13, 40, false)] // a 40 s lease: every 13.3 s
    [InlineData(40 - 14, 40, true)]
    public void IsDue_ByAThirdOfTheLease_AtMostAMinute(int? expiresInSeconds, int leaseSeconds, bool due)
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        DateTimeOffset? expires = expiresInSeconds is { } s ? now.AddSeconds(s) : null;

        Assert.Equal(due, CheckoutLeaseService.IsDue(expires, TimeSpan.FromSeconds(leaseSeconds), now));
    }

    [Theory]
    [InlineData("7.00:00:00", null)]
    [InlineData("00:00:10", null)]
    [InlineData("00:00:09", "Lease")]
    [InlineData("400.00:00:00", "Lease")]
    public void Options_Lease_IsValidated(string lease, string? invalid)
    {
        var options = new CheckoutOptions { Lease = TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(invalid, options.Invalid());
    }

    /// <summary>The database keeps a time to the millisecond; the tests compare what they stored.</summary>
    private static DateTimeOffset WholeSeconds(DateTimeOffset at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), at.Offset);

    private static CheckoutLeaseService Service(MigrationRunnerHarness harness)
    {
        var gate = new StartupGate();
        gate.Open();
        return new CheckoutLeaseService(harness.Db, harness.Nodes, harness.Active, gate, harness.Options, TimeProvider.System, NullLogger<CheckoutLeaseService>.Instance);
    }

    private static async Task<FakeCheckoutDriver> CheckedOutAsync(MigrationRunnerHarness harness, DateTimeOffset? leaseExpiresAt)
    {
        var client = new FakeCheckoutDriver("src", harness.Log);
        harness.Source.Checkouts = client;
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Machines.Where(m => m.Id == MigrationRunnerHarness.MachineId).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.CheckoutNode, "src")
            .SetProperty(m => m.CheckoutRetainedOn, "dst")
            .SetProperty(m => m.CheckoutSince, DateTimeOffset.UtcNow)
            .SetProperty(m => m.CheckoutEpoch, 2)
            .SetProperty(m => m.CheckoutLeaseExpiresAt, leaseExpiresAt));
        return client;
    }
}
