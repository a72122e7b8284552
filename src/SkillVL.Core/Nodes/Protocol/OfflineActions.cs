namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The <see cref="OfflineJournalEntry.Action"/> values.</summary>
public static class OfflineActions
{
    /// <summary>The node's owner stopped the VM locally; the Server's desired state follows (stopped).</summary>
    public const string StoppedLocally = "stopped-locally";

    /// <summary>The node's owner started the VM locally; the Server's desired state follows (running).</summary>
    public const string StartedLocally = "started-locally";

    /// <summary>The agent started a VM that should run and whose QEMU was gone at agent start (a cold boot).</summary>
    public const string Restored = "restored-after-restart";

    /// <summary>A local start or restore the driver refused (for example a fenced copy); <see cref="OfflineJournalEntry.Detail"/> says why.</summary>
    public const string StartRefused = "start-refused";

    /// <summary>Whether <paramref name="action"/> changes what the Server wants of the machine.</summary>
    public static string? DesiredStateAfter(string action) => action switch
    {
        StoppedLocally => "stopped",
        StartedLocally => "running",
        _ => null,
    };
}
