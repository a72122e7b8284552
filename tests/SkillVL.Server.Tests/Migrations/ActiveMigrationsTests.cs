using SkillVL.Server.Machines;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// A finished migration's hold: the runner writes the final state last and drops the hold right after, so a request
/// that read "succeeded" and asks for the next move waits for that moment instead of meeting "already running" (a
/// check-in posted right after its check-out read succeeded failed the bench smoke that way).
/// </summary>
public sealed class ActiveMigrationsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task NotHeld_IsNotMigrating_WithoutAskingTheDatabase()
    {
        var active = new ActiveMigrations();
        var asked = false;

        var held = await active.IsMigratingAfterFinishAsync("m1", (_, _) => { asked = true; return Task.FromResult(true); }, Bound, CancellationToken.None);

        Assert.False(held);
        Assert.False(asked);
    }

    [Fact]
    public async Task HeldByAMigrationStillRunning_IsMigrating_AtOnce()
    {
        var active = new ActiveMigrations();
        active.TryAdd(Entry("g1", "m1"));

        var held = await active.IsMigratingAfterFinishAsync("m1", (id, _) => Task.FromResult(id != "g1"), TimeSpan.FromHours(1), CancellationToken.None).WaitAsync(Bound);

        Assert.True(held);
    }

    [Fact]
    public async Task HeldByAFinishedMigration_WaitsForTheRelease_AndIsFree()
    {
        var active = new ActiveMigrations();
        var entry = Entry("g1", "m1");
        active.TryAdd(entry);
        var askedFinal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = active.IsMigratingAfterFinishAsync("m1", (_, _) => { askedFinal.SetResult(); return Task.FromResult(true); }, TimeSpan.FromHours(1), CancellationToken.None);
        await askedFinal.Task.WaitAsync(Bound);
        Assert.False(held.IsCompleted, "answered before the hold went");
        active.Remove(entry);

        Assert.False(await held.WaitAsync(Bound));
    }

    [Fact]
    public async Task HeldByAFinishedMigration_NeverReleased_IsMigratingAfterTheGrace()
    {
        var active = new ActiveMigrations();
        active.TryAdd(Entry("g1", "m1"));

        var held = await active.IsMigratingAfterFinishAsync("m1", (_, _) => Task.FromResult(true), TimeSpan.FromMilliseconds(50), CancellationToken.None).WaitAsync(Bound);

        Assert.True(held);
    }

    [Fact]
    public void Remove_OfAnEntryNoLongerHeld_LeavesTheNewHoldInPlace()
    {
        var active = new ActiveMigrations();
        var old = Entry("g1", "m1");
        active.TryAdd(old);
        active.Remove(old);
        var next = Entry("g2", "m1");
        active.TryAdd(next);

        active.Remove(old);

        Assert.True(active.IsMigrating("m1"));
        Assert.Equal("g2", active.ForMigration("g2")?.MigrationId);
    }

    private static ActiveMigrations.Entry Entry(string migration, string machine) => new(migration, machine, "r1", "src", "dst", new CancellationTokenSource());
}
