using System.Globalization;
using SkillVL.Testbed.Agents;
using SkillVL.Testbed.Linux;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;

namespace SkillVL.Testbed;

/// <summary>
/// One removal of a recorded testbed (see <see cref="TestbedController.DownAsync(DownRequest, CancellationToken)"/>). Processes are stopped by pid
/// after checking their start time; interfaces are deleted only when they carry the testbed's alias (or none: the
/// crash window between creating one and naming it); files only below the state directory, which itself goes only
/// when <c>up</c> created it and it is empty. The nodes <c>up</c> enrolled are removed at the Server too, with the
/// admin token <paramref name="adminToken"/> gives (asked only when there are such nodes).
/// </summary>
internal sealed class TestbedRemover(TestbedState state, DetachedProcesses processes, TextWriter progress, Func<string> adminToken)
{
    /// <summary>The emulator only relays; it stops in milliseconds on SIGTERM.</summary>
    private static readonly TimeSpan EmulatorGrace = TimeSpan.FromSeconds(5);

    private readonly List<string> _errors = [];
    private int _processes;
    private int _interfaces;
    private int _namespaces;
    private int _directories;
    private int _serverNodes;

    public IReadOnlyList<string> Errors => _errors;

    public async Task<DownReport> RemoveAsync(CancellationToken cancellationToken)
    {
        var nodes = Enumerable.Reverse(state.Nodes).ToList();

        // Processes first: agents (and their VMs) may still use the namespaces, the emulators hold the taps.
        foreach (var node in nodes)
        {
            if (node.Agent is { } agent)
            {
                await StopAsync($"agent of {node.Name}", agent, DetachedProcesses.StopGrace, cancellationToken);
            }

            await StopVmsAsync(node, cancellationToken);
            if (node.Link?.Emulator is { } emulator)
            {
                await StopAsync($"skillvl-linkem of {node.Name}", emulator, EmulatorGrace, cancellationToken);
            }
        }

        // With the agents stopped, none of them can come back to the Server while its node is removed.
        await RemoveServerNodesAsync(cancellationToken);

        var links = await Try("list interfaces", () => Iproute.LinksAsync(cancellationToken)) ?? [];
        var present = links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var name in node.RootInterfaces)
            {
                await DeleteInterfaceAsync(name, present, cancellationToken);
            }

            // The namespace takes eth0 with it (the veth's peer, or the client's tap); a NAT router's takes its legs
            // and its nftables table.
            foreach (var name in node.Nat is { } nat ? [node.Namespace, nat.RouterNamespace] : new[] { node.Namespace })
            {
                if (Iproute.NamespaceExists(name)
                    && await Try($"delete netns {name}", () => Iproute.RunAsync(cancellationToken, "netns", "del", name)) is not null)
                {
                    _namespaces++;
                }
            }
        }

        await DeleteInterfaceAsync(state.Bridge, present, cancellationToken);

        if (_errors.Count == 0)
        {
            RemoveFiles();
        }

        await progress.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"down: stopped {_processes} processes, removed {_serverNodes} nodes at the Server, deleted {_interfaces} interfaces and {_namespaces} namespaces, removed {_directories} directories{(_errors.Count > 0 ? $"; {_errors.Count} errors" : "")}"));
        return new DownReport(false, _processes, _interfaces, _namespaces, _directories, _serverNodes);
    }

    /// <summary>
    /// Asks the Server to remove each node <c>up</c> enrolled, so the next <c>up</c> can enrol the same names. A node
    /// the Server does not know (404) or a Server that is gone is fine; anything else is an error and the node stays
    /// in the state, for the next <c>down</c>.
    /// </summary>
    private async Task RemoveServerNodesAsync(CancellationToken cancellationToken)
    {
        if (state.Server is not { } url || state.ServerNodes.Count == 0)
        {
            return;
        }

        ServerApiClient client;
        try
        {
            client = new ServerApiClient(ServerAddress.Parse("--server", url), adminToken());
        }
        catch (TestbedException e)
        {
            _errors.Add($"remove {string.Join(", ", state.ServerNodes)} from the Server at {url}: {e.Message}");
            return;
        }

        using (client)
        {
            foreach (var name in state.ServerNodes.ToList())
            {
                NodeRemoval removal;
                try
                {
                    removal = await client.DeleteNodeAsync(name, cancellationToken);
                }
                catch (TestbedException e)
                {
                    _errors.Add($"remove node {name} from the Server: {e.Message}");
                    continue;
                }

                if (removal == NodeRemoval.ServerGone)
                {
                    await progress.WriteLineAsync($"server     nothing listens at {url} any more: {string.Join(", ", state.ServerNodes)} not removed there (gone with the Server)");
                    state.ServerNodes.Clear();
                    return;
                }

                await progress.WriteLineAsync(removal == NodeRemoval.Removed
                    ? $"server     removed node {name} at {url}"
                    : $"server     node {name} is not enrolled at {url} (404): nothing to remove");
                _serverNodes += removal == NodeRemoval.Removed ? 1 : 0;
                state.ServerNodes.Remove(name);
            }
        }
    }

    private async Task StopAsync(string what, ProcessRecord record, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            if (await processes.StopAsync(record, grace, cancellationToken))
            {
                _processes++;
            }
        }
        catch (TestbedException e)
        {
            _errors.Add($"{what}: {e.Message}");
        }
    }

    /// <summary>
    /// The VMs an agent started and left running (QEMU daemonises, so it is not the agent's child): pidfiles below the
    /// node's directory whose process names that directory on its command line (so a reused pid is never hit).
    /// </summary>
    private async Task StopVmsAsync(NodeState node, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(node.Directory))
        {
            return;
        }

        var marker = Path.TrimEndingDirectorySeparator(node.Directory) + "/";
        foreach (var pidFile in Directory.EnumerateFiles(node.Directory, "*.pid", SearchOption.AllDirectories))
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || ProcessStat.Read(pid) is not { HasExited: false } stat
                || !ProcessStat.CommandLine(pid).Any(a => a.Contains(marker, StringComparison.Ordinal)))
            {
                continue;
            }

            await StopAsync($"{pidFile} (pid {pid})", new ProcessRecord(pid, stat.StartTime, ProcessStat.CommandLine(pid), pidFile), DetachedProcesses.StopGrace, cancellationToken);
        }
    }

    private async Task DeleteInterfaceAsync(string name, Dictionary<string, HostLink> present, CancellationToken cancellationToken)
    {
        if (!present.TryGetValue(name, out var link))
        {
            return;
        }

        if (link.Alias is not null && link.Alias != state.Alias)
        {
            _errors.Add($"{name} carries the alias '{link.Alias}', not '{state.Alias}': not the testbed's, left alone");
            return;
        }

        if (await Try($"delete {name}", () => Iproute.RunAsync(cancellationToken, "link", "del", "dev", name)) is not null)
        {
            _interfaces++;
        }
    }

    private void RemoveFiles()
    {
        foreach (var node in state.Nodes)
        {
            RemoveDirectory(node.Directory);
        }

        var nodesDirectory = Path.Combine(state.StateDirectory, "nodes");
        if (Directory.Exists(nodesDirectory) && !Directory.EnumerateFileSystemEntries(nodesDirectory).Any())
        {
            RemoveDirectory(nodesDirectory);
        }

        var stateFile = Path.Combine(state.StateDirectory, TestbedPlan.StateFileName);
        try
        {
            File.Delete(stateFile);
            File.Delete(stateFile + ".tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _errors.Add($"delete {stateFile}: {e.Message}");
        }

        if (state.StateDirectoryCreated && Directory.Exists(state.StateDirectory) && !Directory.EnumerateFileSystemEntries(state.StateDirectory).Any())
        {
            RemoveDirectory(state.StateDirectory);
        }
    }

    private void RemoveDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
            _directories++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _errors.Add($"delete {path}: {e.Message}");
        }
    }

    private async Task<T?> Try<T>(string what, Func<Task<T>> step)
        where T : class
    {
        try
        {
            return await step();
        }
        catch (TestbedException e)
        {
            _errors.Add($"{what}: {e.Message}");
            return null;
        }
    }
}
