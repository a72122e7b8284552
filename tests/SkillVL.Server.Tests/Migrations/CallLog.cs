namespace SkillVL.Server.Tests.Migrations;

/// <summary>Every call the fake nodes got, in order, as "node:Call".</summary>
internal sealed class CallLog
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public void Add(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    /// <summary>The calls without status polls, so a test can state the order of the steps.</summary>
    public IReadOnlyList<string> Steps => Calls.Where(c => !c.EndsWith(":GetOutgoingStatus", StringComparison.Ordinal)).ToList();
}
