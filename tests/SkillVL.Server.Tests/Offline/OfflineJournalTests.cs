using Microsoft.Extensions.Time.Testing;
using SkillVL.Agent.Local;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Offline;

public sealed class OfflineJournalTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("skillvl-journal-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Append_NumbersEntriesInOrder_AndAnotherAgentProcessReadsThem()
    {
        var journal = new OfflineJournal(_data, _time);
        journal.Append("aaaaaaaaaaaa", "vm", OfflineActions.StoppedLocally, "uid 1000", offline: true);
        _time.Advance(TimeSpan.FromMinutes(1));
        journal.Append("aaaaaaaaaaaa", "vm", OfflineActions.StartedLocally, "uid 1000", offline: true);

        var reloaded = new OfflineJournal(_data, _time).Pending;

        Assert.Equal([1L, 2L], reloaded.Select(e => e.Seq));
        Assert.Equal([OfflineActions.StoppedLocally, OfflineActions.StartedLocally], reloaded.Select(e => e.Action));
        Assert.Equal(_time.GetUtcNow(), reloaded[1].At);
        Assert.True(reloaded[0].Offline);
    }

    [Fact]
    public void Acknowledge_ForgetsUpToTheSeq_AndNumbersAreNeverReused()
    {
        var journal = new OfflineJournal(_data, _time);
        journal.Append("aaaaaaaaaaaa", "vm", OfflineActions.StoppedLocally, "uid 0", offline: true);
        journal.Append("aaaaaaaaaaaa", "vm", OfflineActions.StartedLocally, "uid 0", offline: true);

        journal.Acknowledge(1);
        Assert.Equal([2L], journal.Pending.Select(e => e.Seq));
        journal.Acknowledge(2);
        Assert.Empty(journal.Pending);

        var next = new OfflineJournal(_data, _time).Append("aaaaaaaaaaaa", "vm", OfflineActions.Restored, "agent", offline: true);
        Assert.Equal(3, next.Seq);
    }

    [Fact]
    public void Journal_IsPrivateToRoot_Directory0700File0600()
    {
        new OfflineJournal(_data, _time).Append("aaaaaaaaaaaa", "vm", OfflineActions.StoppedLocally, "uid 0", offline: false);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_data, "local")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data, "local", "journal.json")));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
