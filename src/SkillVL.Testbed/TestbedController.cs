using SkillVL.Testbed.Agents;
using SkillVL.Testbed.Linux;
using SkillVL.Testbed.Links;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;
using SkillVL.Testbed.Status;
using SkillVL.Testbed.Tools;

namespace SkillVL.Testbed;

/// <summary>
/// Brings a testbed up, takes it down and reports on it: many SkillVL nodes on one machine, each a network
/// namespace on one underlay bridge, with its own node agent; client nodes reach the bridge through
/// skillvl-linkem. See docs/testbed.md.
/// </summary>
/// <remarks>
/// <c>up</c> checks everything it can before it touches the host (the command line, root, the programs it will
/// start, free names and addresses, the join tokens), then records each object in testbed.json before or right
/// after making it. When a step fails or the run is interrupted it removes what it made; when it is killed, <c>down</c>
/// does that from the state file.
/// </remarks>
public sealed class TestbedController
{
    /// <summary>How long an emulator may take to open its taps and print its started line (dotnet start-up + JIT).</summary>
    private static readonly TimeSpan EmulatorStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long every agent must have survived before <c>up</c> calls it started: long enough to catch an agent that
    /// rejects its command line or cannot reach the Server at once; enrolment itself is the Server's business.
    /// </summary>
    private static readonly TimeSpan AgentSettleTime = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly TextWriter _progress;
    private readonly TimeProvider _time;
    private readonly DetachedProcesses _processes;

    /// <param name="progress">Receives one line per step ("bridge svltb0 198.18.0.1/24").</param>
    /// <param name="time">The clock for waits; <see cref="TimeProvider.System"/> by default.</param>
    public TestbedController(TextWriter progress, TimeProvider? time = null)
    {
        _progress = progress;
        _time = time ?? TimeProvider.System;
        _processes = new DetachedProcesses(_time);
    }

    /// <summary>Creates the testbed <paramref name="request"/> describes; returns its status.</summary>
    /// <exception cref="TestbedException">Bad input or a taken name (nothing created), or a failed step (what was created is removed again).</exception>
    /// <exception cref="OperationCanceledException">Interrupted (what was created is removed again).</exception>
    public async Task<TestbedStatus> UpAsync(UpRequest request, CancellationToken cancellationToken)
    {
        var plan = TestbedPlan.Create(request);
        RequireRoot();
        var clients = plan.Nodes.Where(n => n.Kind == NodeKind.Client).ToList();
        var linkem = clients.Count == 0 ? null : ToolLocator.Resolve(
            "--linkem", request.Linkem, "skillvl-linkem", ".build/linkem", "dotnet publish src/SkillVL.LinkEmulator.Host -c Release -o .build/linkem");
        var agent = !plan.StartAgents ? null : ToolLocator.Resolve(
            "--agent-command", request.AgentCommand, "skillvl-agent", ".build/agent", "dotnet publish src/SkillVL.Agent.Host -c Release -o .build/agent", " (or build the network alone with --no-agents)");

        if (StateFile.Load(plan.StateFile) is { } existing)
        {
            throw AlreadyUp(plan.StateFile, existing);
        }

        await RequireFreeHostAsync(plan, cancellationToken);

        // Join tokens before anything exists on the host: an unreachable Server or a refused admin token then
        // leaves nothing behind. Tokens are one-time, one per node.
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (plan.StartAgents)
        {
            var adminToken = AdminTokenSource.Read(request.AdminToken, request.AdminTokenFile);
            using var joinTokens = new JoinTokenClient(ServerAddress.Parse("--server", request.Server), adminToken);
            foreach (var node in plan.Nodes)
            {
                tokens[node.Name] = await joinTokens.CreateAsync(cancellationToken);
            }
        }

        var createdDirectory = !Directory.Exists(plan.StateDirectory);

        // 0700: the agents keep their node credentials below it.
        Directory.CreateDirectory(plan.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await OpenToQemuAsync(plan.StateDirectory, cancellationToken);
        var state = new TestbedState
        {
            Prefix = plan.Prefix,
            Subnet = plan.Subnet.Cidr,
            Bridge = plan.Bridge,
            BridgeAddress = $"{plan.BridgeAddress}/{UnderlaySubnet.PrefixLength}",
            Alias = plan.Alias,
            StateDirectory = plan.StateDirectory,
            StateDirectoryCreated = createdDirectory,
            CreatedAt = _time.GetUtcNow(),
            Server = plan.StartAgents ? request.Server : null,
        };
        if (!StateFile.TryCreate(plan.StateFile, state))
        {
            // Another `up` on this directory got there first.
            throw AlreadyUp(plan.StateFile, StateFile.Load(plan.StateFile));
        }

        try
        {
            await BuildAsync(plan, state, linkem, agent, request.Server, tokens, request.AgentServerOnUnderlay, cancellationToken);
        }
        catch (Exception failure)
        {
            await _progress.WriteLineAsync(failure is OperationCanceledException
                ? "up: interrupted; removing what was created"
                : $"up: failed: {failure.Message}\nup: removing what was created");
            try
            {
                // Not cancellable: an interrupted `up` must still clean up (every step in it is bounded).
                await RemoveAsync(state, CancellationToken.None);
            }
            catch (TestbedException cleanup)
            {
                throw new TestbedException(
                    $"{failure.Message}\nremoving what was created also failed: {cleanup.Message}\nthe state is kept in {plan.StateFile}: run `skillvl-testbed down --state {plan.StateDirectory}`",
                    failure);
            }

            throw;
        }

        return await StatusAsync(plan.StateDirectory, cancellationToken)
            ?? throw new TestbedException($"{plan.StateFile} vanished while the testbed came up");
    }

    /// <summary>Removes everything the testbed in <paramref name="stateDirectory"/> made. Idempotent: nothing up is fine.</summary>
    /// <exception cref="TestbedException">Something could not be removed; the state file is kept for another try.</exception>
    public async Task<DownReport> DownAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(Path.GetFullPath(stateDirectory), TestbedPlan.StateFileName);
        var state = StateFile.Load(stateFile);
        if (state is null)
        {
            await ReportStrayInterfacesAsync(cancellationToken);
            return DownReport.Nothing;
        }

        RequireRoot();
        return await RemoveAsync(state, cancellationToken);
    }

    /// <summary>The testbed recorded in <paramref name="stateDirectory"/> checked against the host; null when none is up.</summary>
    public async Task<TestbedStatus?> StatusAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(Path.GetFullPath(stateDirectory), TestbedPlan.StateFileName);
        var state = StateFile.Load(stateFile);
        if (state is null)
        {
            return null;
        }

        var links = (await Iproute.LinksAsync(cancellationToken)).ToDictionary(l => l.Name, StringComparer.Ordinal);
        var bridge = links.GetValueOrDefault(state.Bridge);
        var nodes = state.Nodes.Select(n => new NodeStatus(
                n.Name,
                n.Kind,
                n.Namespace,
                n.Address,
                Iproute.NamespaceExists(n.Namespace),
                Describe(n.Agent),
                n.Link is not { } link ? null : new LinkStatus(
                    link.Rate, link.Rtt, link.Loss, link.UnderlayTap, link.ClientTap, Describe(link.Emulator), LinkemLog.LastEvent(link.Log))))
            .ToList();
        return new TestbedStatus(
            stateFile,
            state.Phase,
            state.Prefix,
            state.Subnet,
            new BridgeStatus(state.Bridge, state.BridgeAddress, bridge is not null, bridge?.Up ?? false),
            nodes,
            state.CreatedAt);
    }

    private static ProcessStatus? Describe(ProcessRecord? record) =>
        record is null ? null : new ProcessStatus(record.Pid, DetachedProcesses.IsAlive(record), record.Log);

    private static void RequireRoot()
    {
        if (LinuxNative.GetEffectiveUserId() != 0)
        {
            throw new TestbedException("skillvl-testbed must run as root: it makes network namespaces, a bridge, veths and taps");
        }
    }

    private static TestbedException AlreadyUp(string stateFile, TestbedState? existing) =>
        TestbedException.Conflict(
            $"a testbed is already up (state {stateFile}: prefix {existing?.Prefix}, {existing?.Nodes.Count} nodes, {existing?.Phase}); "
            + "`skillvl-testbed status` shows it, `skillvl-testbed down` removes it");

    /// <summary>Refuses names and addresses that already exist on the host: they are not ours to take (or to remove later).</summary>
    private static async Task RequireFreeHostAsync(TestbedPlan plan, CancellationToken cancellationToken)
    {
        var links = (await Iproute.LinksAsync(cancellationToken)).ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var name in plan.Nodes.SelectMany(n => n.RootInterfaces).Prepend(plan.Bridge))
        {
            if (links.TryGetValue(name, out var link))
            {
                throw TestbedException.Conflict(
                    $"the interface {name} already exists{(link.Alias is { } alias ? $" (alias {alias})" : "")}: a testbed with --prefix {plan.Prefix} "
                    + "is up from another --state directory, or something else uses the name; choose another --prefix");
            }
        }

        if (plan.Nodes.FirstOrDefault(n => Iproute.NamespaceExists(n.Namespace)) is { } taken)
        {
            throw TestbedException.Conflict($"the network namespace {taken.Namespace} already exists; choose another --prefix");
        }

        foreach (var (name, address) in await Iproute.Ipv4AddressesAsync(cancellationToken))
        {
            if (plan.Subnet.Contains(address))
            {
                throw TestbedException.Conflict(
                    $"{plan.Subnet.Cidr} is already in use on this host ({address} on {name}); two bridges with the same subnet would break each other's routing: choose another --subnet");
            }
        }
    }

    private async Task BuildAsync(
        TestbedPlan plan,
        TestbedState state,
        IReadOnlyList<string>? linkem,
        IReadOnlyList<string>? agent,
        string server,
        Dictionary<string, string> tokens,
        Func<System.Net.IPAddress, CancellationToken, Task<string>>? agentServerOnUnderlay,
        CancellationToken cancellationToken)
    {
        await UnderlayNetwork.CreateBridgeAsync(plan, cancellationToken);
        await _progress.WriteLineAsync($"bridge     {plan.Bridge} {plan.BridgeAddress}/{UnderlaySubnet.PrefixLength} (underlay {plan.Subnet.Cidr})");
        if (agentServerOnUnderlay is not null)
        {
            server = await agentServerOnUnderlay(System.Net.IPAddress.Parse(plan.BridgeAddress), cancellationToken);
            await _progress.WriteLineAsync($"agents     reach the Server over the underlay at {server}");
        }

        var agentsStarted = new List<ProcessRecord>();
        foreach (var node in plan.Nodes)
        {
            // Recorded before anything of the node exists; down skips what it does not find.
            var nodeState = new NodeState
            {
                Name = node.Name,
                Kind = node.Kind,
                Namespace = node.Namespace,
                Address = node.Address,
                RootInterfaces = [.. node.RootInterfaces],
                Directory = Path.Combine(plan.StateDirectory, "nodes", node.Name),
            };
            if (node.Kind == NodeKind.Client)
            {
                nodeState.Link = new ClientLinkState
                {
                    Rate = plan.Link.Rate,
                    Rtt = plan.Link.Rtt,
                    Loss = plan.Link.Loss,
                    UnderlayTap = node.UnderlayTap!,
                    ClientTap = node.ClientTap!,
                    Log = Path.Combine(nodeState.Directory, "linkem.log"),
                };
            }

            state.Nodes.Add(nodeState);
            StateFile.Save(plan.StateFile, state);
            Directory.CreateDirectory(nodeState.Directory);

            await UnderlayNetwork.CreateNamespaceAsync(node, cancellationToken);
            if (node.Kind == NodeKind.Server)
            {
                await UnderlayNetwork.CreateVethAsync(plan, node, cancellationToken);
            }
            else
            {
                await BuildClientLinkAsync(plan, node, nodeState, state, linkem!, cancellationToken);
            }

            await UnderlayNetwork.ConfigureNamespaceInterfaceAsync(node, cancellationToken);
            var line = $"{node.Kind,-10} {node.Name} in netns {node.Namespace}, eth0 {node.Address}";
            if (nodeState.Link is { Emulator: { } emulator })
            {
                line += $", link {plan.Link} (skillvl-linkem pid {emulator.Pid})";
            }

            if (agent is not null)
            {
                nodeState.Agent = await StartAgentAsync(node, nodeState, agent, server, tokens[node.Name], cancellationToken);
                StateFile.Save(plan.StateFile, state);
                agentsStarted.Add(nodeState.Agent);
                line += $", agent pid {nodeState.Agent.Pid}";
            }

            await _progress.WriteLineAsync(line);
        }

        if (agentsStarted.Count > 0)
        {
            await Task.Delay(AgentSettleTime, _time, cancellationToken);
            if (agentsStarted.FirstOrDefault(a => !DetachedProcesses.IsAlive(a)) is { } dead)
            {
                throw new TestbedException($"the agent (pid {dead.Pid}, {string.Join(' ', dead.Command)}) exited; {DetachedProcesses.LogTail(dead.Log)}");
            }
        }

        state.Phase = TestbedPhase.Up;
        StateFile.Save(plan.StateFile, state);
    }

    /// <summary>Two persistent taps, the emulator relaying between them, then one tap moved into the namespace.</summary>
    private async Task BuildClientLinkAsync(
        TestbedPlan plan, NodePlan node, NodeState nodeState, TestbedState state, IReadOnlyList<string> linkem, CancellationToken cancellationToken)
    {
        var link = nodeState.Link!;
        await UnderlayNetwork.CreateTapAsync(plan, node.UnderlayTap!, cancellationToken);
        await UnderlayNetwork.AttachToBridgeAsync(plan, node.UnderlayTap!, cancellationToken);
        await UnderlayNetwork.CreateTapAsync(plan, node.ClientTap!, cancellationToken);

        // The emulator opens both taps by name in the root namespace, so it starts before one of them moves.
        // Side A is the client, so its aToB counters are the client's upload.
        string[] command =
        [
            .. linkem,
            "--tap-a", node.ClientTap!, "--tap-b", node.UnderlayTap!,
            "--rate", plan.Link.Rate, "--rtt", plan.Link.Rtt, "--loss", plan.Link.Loss,
            "--stats-interval", $"{LinkPlan.StatsInterval.TotalSeconds:0}s",
        ];
        link.Emulator = await _processes.StartAsync($"skillvl-linkem for {node.Name}", command, link.Log, cancellationToken);
        StateFile.Save(plan.StateFile, state);

        var deadline = _time.GetUtcNow() + EmulatorStartTimeout;
        while (!LinkemLog.HasStarted(link.Log, link.Emulator.Pid))
        {
            if (!DetachedProcesses.IsAlive(link.Emulator))
            {
                throw new TestbedException($"skillvl-linkem for {node.Name} exited before relaying; {DetachedProcesses.LogTail(link.Log)}");
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new TestbedException($"skillvl-linkem for {node.Name} did not start within {EmulatorStartTimeout.TotalSeconds:0} s; {DetachedProcesses.LogTail(link.Log)}");
            }

            await Task.Delay(Poll, _time, cancellationToken);
        }

        await UnderlayNetwork.MoveTapIntoNamespaceAsync(node, cancellationToken);
    }

    /// <summary>
    /// Each node's QEMU runs as skillvl-qemu (ADR 0016) and must pass through the state directory to its VM's files:
    /// search (0710) for that group only, made here as the agents would (useradd) when missing. Nothing else changes.
    /// </summary>
    private static async Task OpenToQemuAsync(string directory, CancellationToken cancellationToken)
    {
        const string QemuUser = "skillvl-qemu";
        if (!(await HostCommand.RunAsync("getent", ["group", QemuUser], HostCommand.DefaultTimeout, cancellationToken)).Succeeded)
        {
            await HostCommand.RunCheckedAsync(
                "useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", QemuUser], cancellationToken);
        }

        await HostCommand.RunCheckedAsync("chgrp", [QemuUser, directory], cancellationToken);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
    }

    private async Task<ProcessRecord> StartAgentAsync(
        NodePlan node, NodeState nodeState, IReadOnlyList<string> agent, string server, string joinToken, CancellationToken cancellationToken)
    {
        var data = Path.Combine(nodeState.Directory, "data");
        var run = Path.Combine(nodeState.Directory, "run");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(run);
        string[] arguments =
        [
            "--server", server, "--join-token", joinToken, "--name", node.Name, "--kind", node.Kind,
            "--underlay-address", node.Address, "--data", data, "--runtime", run, "--accelerator", "tcg",
        ];

        // `ip netns exec` execs the agent in place, so the recorded pid is the agent's own.
        var record = await _processes.StartAsync(
            $"the agent of {node.Name}",
            ["ip", "netns", "exec", node.Namespace, .. agent, .. arguments], Path.Combine(nodeState.Directory, "agent.log"), cancellationToken);

        // The state file shows the command, but not the (one-time) token.
        return record with { Command = [.. record.Command.Select(a => a == joinToken ? "<join-token>" : a)] };
    }

    /// <summary>
    /// Removes what <paramref name="state"/> records, in reverse order of creation: processes (agents, the VMs they
    /// started, emulators), interfaces, namespaces, the bridge, then files. Every step is tried; failures are
    /// collected, and then the state file stays so that <c>down</c> can be run again.
    /// </summary>
    private async Task<DownReport> RemoveAsync(TestbedState state, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(state.StateDirectory, TestbedPlan.StateFileName);
        var remover = new TestbedRemover(state, _processes, _progress);
        if (File.Exists(stateFile))
        {
            state.Phase = TestbedPhase.Removing;
            StateFile.Save(stateFile, state);
        }

        var report = await remover.RemoveAsync(cancellationToken);
        if (remover.Errors.Count > 0)
        {
            if (File.Exists(stateFile))
            {
                StateFile.Save(stateFile, state);
            }

            throw new TestbedException($"could not remove everything:\n  {string.Join("\n  ", remover.Errors)}");
        }

        return report;
    }

    /// <summary>With no state file, says whether interfaces carrying a testbed alias are left on the host (removes nothing).</summary>
    private async Task ReportStrayInterfacesAsync(CancellationToken cancellationToken)
    {
        var stray = (await Iproute.LinksAsync(cancellationToken))
            .Where(l => l.Alias?.StartsWith(TestbedPlan.AliasPrefix, StringComparison.Ordinal) == true)
            .Select(l => $"{l.Name} ({l.Alias})")
            .ToList();
        if (stray.Count > 0)
        {
            await _progress.WriteLineAsync(
                $"note: no state file here, but these interfaces carry a testbed alias (another --state directory?): {string.Join(", ", stray)}");
        }
    }
}
