using System.Diagnostics;
using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>A `skillvl-agent` process started by a test; disposing kills exactly that pid.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    public static AgentProcess Start(params string[] args) => StartIn(null, args);

    /// <summary>The agent inside network namespace <paramref name="netns"/> (`ip netns exec` execs it in place).</summary>
    public static AgentProcess StartIn(string? netns, params string[] args)
    {
        var start = new ProcessStartInfo(netns is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (netns is not null)
        {
            foreach (var arg in new[] { "netns", "exec", netns, "dotnet" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>SIGKILL, as a crash would: the agent gets no chance to clean up (its VMs must not care).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await Bounded.WaitUntilAsync(() => Task.FromResult(_process.HasExited), timeout, "the agent to exit");
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }
}
