namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// A stand-in for skillvl-agent: a shell script that prints its arguments and the network namespace it runs in
/// (to its log, agent.log) and then becomes <c>sleep</c> (exec, so the pid the testbed recorded stays the one that
/// runs).
/// </summary>
internal static class FakeAgent
{
    /// <summary>Writes the script into <paramref name="directory"/>; with <paramref name="exitAtOnce"/> one that fails at once, like an agent that rejects its command line.</summary>
    public static string Write(string directory, bool exitAtOnce = false)
    {
        var path = Path.Combine(directory, exitAtOnce ? "failing-agent" : "fake-agent");
        File.WriteAllText(path, exitAtOnce
            ? "#!/bin/sh\necho \"fake agent: cannot enrol (test)\" >&2\nexit 3\n"
            : "#!/bin/sh\necho \"args: $*\"\necho \"netns: $(ip netns identify $$)\"\nexec sleep 600\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
