namespace SkillVL.ProxmoxSimulator;

/// <summary>A task with its UPID: it runs until <see cref="EndsAt"/>, then <see cref="Finish"/> applies its effect once.</summary>
public sealed class SimulatedTask(string upid, string node, string type, string id, string user, DateTimeOffset endsAt)
{
    public string Upid { get; } = upid;

    public string Node { get; } = node;

    public string Type { get; } = type;

    public string Id { get; } = id;

    public string User { get; } = user;

    public DateTimeOffset EndsAt { get; } = endsAt;

    /// <summary>The exit status the task ends with (<c>OK</c>, <c>WARNINGS: 1</c>, or an error message).</summary>
    public string ExitStatus { get; set; } = "OK";

    public List<string> Log { get; } = [];

    public Action? Finish { get; set; }

    public bool Stopped { get; private set; }

    /// <summary>Ends the task if its time has come; the effect runs under the simulator's lock.</summary>
    public void Advance(DateTimeOffset now)
    {
        if (Stopped || now < EndsAt)
        {
            return;
        }

        Stopped = true;
        Finish?.Invoke();
        Log.Add(ExitStatus == "OK" ? "TASK OK" : ExitStatus.StartsWith("WARNINGS", StringComparison.Ordinal) ? "TASK " + ExitStatus : "TASK ERROR: " + ExitStatus);
    }
}
