using SkillVL.Testbed.Linux;
using SkillVL.Testbed.Links;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;

namespace SkillVL.Testbed;

/// <summary>
/// The building half of <see cref="TestbedController.UpAsync"/>: makes the bridge, then node after node its
/// namespace, link (a veth; for a client an emulated link, behind NAT with its router) and agent, recording each
/// object in testbed.json before or right after making it, so that a failed or killed <c>up</c> can be undone.
/// </summary>
internal sealed class TestbedBuilder(TextWriter progress, TimeProvider time, DetachedProcesses processes)
{
    /// <summary>How long an emulator may take to open its taps and print its started line (dotnet start-up + JIT).</summary>
    private static readonly TimeSpan EmulatorStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long every agent must have survived before <c>up</c> calls it started: long enough to catch an agent that
    /// rejects its command line or cannot reach the Server at once; enrolment itself is the Server's business.
    /// </summary>
    private static readonly TimeSpan AgentSettleTime = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task BuildAsync(
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
        await progress.WriteLineAsync($"bridge     {plan.Bridge} {plan.BridgeAddress}/{UnderlaySubnet.PrefixLength} (underlay {plan.Subnet.Cidr})");
        if (agentServerOnUnderlay is not null)
        {
            server = await agentServerOnUnderlay(System.Net.IPAddress.Parse(plan.BridgeAddress), cancellationToken);
            await progress.WriteLineAsync($"agents     reach the Server over the underlay at {server}");
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
                    BridgePort = node.BridgePort,
                    Log = Path.Combine(nodeState.Directory, "linkem.log"),
                };
            }

            if (node.Nat is { } nat)
            {
                nodeState.Nat = new NatState
                {
                    RouterNamespace = nat.RouterNamespace,
                    OutsideVeth = nat.OutsideVeth,
                    OutsideAddress = nat.OutsideAddress,
                    InsideSubnet = nat.InsideSubnet,
                    InsideAddress = nat.InsideAddress,
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
                if (node.Nat is not null)
                {
                    await NatRouter.CreateAsync(plan, node.Nat, cancellationToken);
                }

                await BuildClientLinkAsync(plan, node, nodeState, state, linkem!, cancellationToken);
            }

            await UnderlayNetwork.ConfigureNamespaceInterfaceAsync(node, cancellationToken);
            var line = $"{node.Kind,-10} {node.Name} in netns {node.Namespace}, eth0 {node.Address}";
            if (node.Nat is { } router)
            {
                await NatRouter.RouteClientAsync(plan, node, cancellationToken);
                line += $" behind NAT (router netns {router.RouterNamespace}: outside {router.OutsideAddress}, inside {router.InsideAddress})";
            }
            if (nodeState.Link is { Emulator: { } emulator })
            {
                line += $", link {plan.Link} (skillvl-linkem pid {emulator.Pid})";
            }

            if (agent is not null)
            {
                // Before the agent starts: down asks the Server to remove every node that may have enrolled (a 404 is fine).
                state.ServerNodes.Add(node.Name);
                StateFile.Save(plan.StateFile, state);
                nodeState.Agent = await StartAgentAsync(node, nodeState, agent, server, tokens[node.Name], cancellationToken);
                StateFile.Save(plan.StateFile, state);
                agentsStarted.Add(nodeState.Agent);
                line += $", agent pid {nodeState.Agent.Pid}";
            }

            await progress.WriteLineAsync(line);
        }

        if (agentsStarted.Count > 0)
        {
            await Task.Delay(AgentSettleTime, time, cancellationToken);
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
        if (node.Nat is null)
        {
            await UnderlayNetwork.AttachToBridgeAsync(plan, node.UnderlayTap!, cancellationToken);
        }

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
        link.Emulator = await processes.StartAsync($"skillvl-linkem for {node.Name}", command, link.Log, cancellationToken);
        StateFile.Save(plan.StateFile, state);

        var deadline = time.GetUtcNow() + EmulatorStartTimeout;
        while (!LinkemLog.HasStarted(link.Log, link.Emulator.Pid))
        {
            if (!DetachedProcesses.IsAlive(link.Emulator))
            {
                throw new TestbedException($"skillvl-linkem for {node.Name} exited before relaying; {DetachedProcesses.LogTail(link.Log)}");
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new TestbedException($"skillvl-linkem for {node.Name} did not start within {EmulatorStartTimeout.TotalSeconds:0} s; {DetachedProcesses.LogTail(link.Log)}");
            }

            await Task.Delay(Poll, time, cancellationToken);
        }

        await UnderlayNetwork.MoveTapIntoNamespaceAsync(node, cancellationToken);
        if (node.Nat is not null)
        {
            await NatRouter.ConnectInsideAsync(node, cancellationToken);
        }
    }

    /// <summary>
    /// Each node's QEMU runs as skillvl-qemu (ADR 0016) and must pass through the state directory to its VM's files:
    /// search (0710) for that group only, made here as the agents would (useradd) when missing. Nothing else changes.
    /// </summary>
    public static async Task OpenToQemuAsync(string directory, CancellationToken cancellationToken)
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
        // The one-time token in a file only root reads (the agent refuses a looser one), not on the agent's command line,
        // where every local user would read it in /proc for as long as the agent runs.
        var tokenFile = Path.Combine(nodeState.Directory, "join-token");
        await File.WriteAllTextAsync(tokenFile, "", cancellationToken);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(tokenFile, joinToken + "\n", cancellationToken);
        string[] arguments =
        [
            "--server", server, "--join-token-file", tokenFile, "--name", node.Name, "--kind", node.Kind,
            "--underlay-address", node.Address, "--data", data, "--runtime", run, "--accelerator", "tcg",
        ];

        // `ip netns exec` execs the agent in place, so the recorded pid is the agent's own.
        var record = await processes.StartAsync(
            $"the agent of {node.Name}",
            ["ip", "netns", "exec", node.Namespace, .. agent, .. arguments], Path.Combine(nodeState.Directory, "agent.log"), cancellationToken);

        return record;
    }
}
