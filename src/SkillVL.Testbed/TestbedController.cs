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
    private readonly TextWriter _progress;
    private readonly TimeProvider _time;
    private readonly DetachedProcesses _processes;

    /// <summary>
    /// The admin token each <c>up</c> of this instance used, by state directory: in memory only (never on disk), so an
    /// in-process caller that gave <c>up</c> the token itself gets its nodes removed by <c>down</c> without giving it again.
    /// </summary>
    private readonly Dictionary<string, string> _adminTokens = new(StringComparer.Ordinal);

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

        if (plan.BehindNat)
        {
            await RequireNftAsync(cancellationToken);
        }

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
            _adminTokens[plan.StateDirectory] = adminToken;
            using var joinTokens = new ServerApiClient(ServerAddress.Parse("--server", request.Server), adminToken);
            foreach (var node in plan.Nodes)
            {
                tokens[node.Name] = await joinTokens.CreateJoinTokenAsync(request.ClientOwners.GetValueOrDefault(node.Name), cancellationToken);
            }
        }

        var createdDirectory = !Directory.Exists(plan.StateDirectory);

        // 0700: the agents keep their node credentials below it.
        Directory.CreateDirectory(plan.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await TestbedBuilder.OpenToQemuAsync(plan.StateDirectory, cancellationToken);
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
            AdminTokenFile = plan.StartAgents && request.AdminToken is null ? Path.GetFullPath(request.AdminTokenFile) : null,
        };
        if (!StateFile.TryCreate(plan.StateFile, state))
        {
            // Another `up` on this directory got there first.
            throw AlreadyUp(plan.StateFile, StateFile.Load(plan.StateFile));
        }

        try
        {
            await new TestbedBuilder(_progress, _time, _processes).BuildAsync(plan, state, linkem, agent, request.Server, tokens, request.AgentServerOnUnderlay, cancellationToken);
        }
        catch (Exception failure)
        {
            await _progress.WriteLineAsync(failure is OperationCanceledException
                ? "up: interrupted; removing what was created"
                : $"up: failed: {failure.Message}\nup: removing what was created");
            try
            {
                // Not cancellable: an interrupted `up` must still clean up (every step in it is bounded).
                await RemoveAsync(state, new DownRequest { StateDirectory = plan.StateDirectory }, CancellationToken.None);
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

    /// <summary>
    /// Removes everything the testbed in <paramref name="stateDirectory"/> made, its nodes at the Server included
    /// (with the admin token <c>up</c> used, if this instance ran it, else from the file <c>up</c> read). Idempotent.
    /// </summary>
    /// <exception cref="TestbedException">Something could not be removed; the state file is kept for another try.</exception>
    public Task<DownReport> DownAsync(string stateDirectory, CancellationToken cancellationToken) =>
        DownAsync(new DownRequest { StateDirectory = stateDirectory }, cancellationToken);

    /// <summary>Removes everything the testbed in <see cref="DownRequest.StateDirectory"/> made. Idempotent: nothing up is fine.</summary>
    /// <exception cref="TestbedException">Something could not be removed; the state file is kept for another try.</exception>
    public async Task<DownReport> DownAsync(DownRequest request, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(Path.GetFullPath(request.StateDirectory), TestbedPlan.StateFileName);
        var state = StateFile.Load(stateFile);
        if (state is null)
        {
            await ReportStrayInterfacesAsync(cancellationToken);
            return DownReport.Nothing;
        }

        RequireRoot();
        return await RemoveAsync(state, request, cancellationToken);
    }

    /// <summary>
    /// Cuts (<paramref name="up"/> false) or restores the link of the client <paramref name="client"/>: its bridge port
    /// is disabled, so frames vanish both ways while every interface stays up (a home link failing upstream). The same
    /// for clients with and without NAT. Idempotent; recorded in the state, shown by <c>status</c>.
    /// </summary>
    /// <exception cref="TestbedException">Nothing up or not finished coming up (exit 1); <paramref name="client"/> is no client of it (exit 2).</exception>
    public async Task<LinkStatus> SetLinkAsync(string stateDirectory, string client, bool up, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(stateDirectory);
        var stateFile = Path.Combine(directory, TestbedPlan.StateFileName);
        var state = StateFile.Load(stateFile) ?? throw new TestbedException($"no testbed is up (no state in {directory}); `skillvl-testbed up` first");
        if (state.Nodes.FirstOrDefault(n => n.Name == client) is not { Link: { } link } node)
        {
            var clients = state.Nodes.Where(n => n.Link is not null).Select(n => n.Name).ToList();
            throw new TestbedException(
                ExitCodes.Usage,
                $"'{client}' is not a client of the testbed in {directory} ({(clients.Count == 0 ? "it has no clients" : "clients: " + string.Join(", ", clients))})",
                "NAME");
        }

        if (state.Phase != TestbedPhase.Up)
        {
            throw new TestbedException($"the testbed in {directory} is {state.Phase}, not up; `skillvl-testbed status` shows it");
        }

        RequireRoot();
        var port = link.BridgePort ?? link.UnderlayTap;
        await BridgePort.SetForwardingAsync(port, up, cancellationToken);
        link.Down = !up;
        StateFile.Save(stateFile, state);
        await _progress.WriteLineAsync($"link       {node.Name} {(up ? "up: bridge port " + port + " forwards again" : "down: bridge port " + port + " disabled (frames vanish; eth0 stays up)")}");
        return Describe(node.Link)!;
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
                Describe(n.Link),
                n.Nat is not { } nat ? null : new NatStatus(
                    nat.RouterNamespace, Iproute.NamespaceExists(nat.RouterNamespace), nat.OutsideAddress, nat.InsideSubnet, nat.InsideAddress, n.Address)))
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

    private static LinkStatus? Describe(ClientLinkState? link) =>
        link is null ? null : new LinkStatus(
            link.Rate, link.Rtt, link.Loss, link.UnderlayTap, link.ClientTap, Describe(link.Emulator), LinkemLog.LastEvent(link.Log))
        {
            BridgePort = link.BridgePort ?? link.UnderlayTap,
            Down = link.Down,
            PortState = BridgePort.State(link.BridgePort ?? link.UnderlayTap),
        };

    /// <summary><c>--behind-nat</c> loads an nftables ruleset into each router: find <c>nft</c> before anything is made.</summary>
    private static async Task RequireNftAsync(CancellationToken cancellationToken)
    {
        try
        {
            if ((await HostCommand.RunAsync("nft", ["--version"], HostCommand.DefaultTimeout, cancellationToken)).Succeeded)
            {
                return;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed: reported below.
        }

        throw new TestbedException("--behind-nat needs nft (Debian package nftables; scripts/bootstrap.sh installs it)");
    }

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

        if (plan.Nodes.SelectMany(n => n.Namespaces).FirstOrDefault(Iproute.NamespaceExists) is { } taken)
        {
            throw TestbedException.Conflict($"the network namespace {taken} already exists; choose another --prefix");
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

    /// <summary>
    /// Removes what <paramref name="state"/> records, in reverse order of creation: processes (agents, the VMs they
    /// started, emulators), interfaces, namespaces, the bridge, then files. Every step is tried; failures are
    /// collected, and then the state file stays so that <c>down</c> can be run again.
    /// </summary>
    private async Task<DownReport> RemoveAsync(TestbedState state, DownRequest request, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(state.StateDirectory, TestbedPlan.StateFileName);
        var remover = new TestbedRemover(state, _processes, _progress, () => AdminTokenFor(state, request));
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

    /// <summary>
    /// The admin token for removing the testbed's nodes at the Server: <c>--admin-token</c>, else the file
    /// <c>--admin-token-file</c>, else the token this instance's <c>up</c> used, else the file <c>up</c> read, else the
    /// default file — the same places <c>up</c> looks.
    /// </summary>
    private string AdminTokenFor(TestbedState state, DownRequest request)
    {
        if (request.AdminToken is not null || request.AdminTokenFile is not null)
        {
            return AdminTokenSource.Read(request.AdminToken, request.AdminTokenFile ?? UpRequest.DefaultAdminTokenFile);
        }

        return _adminTokens.TryGetValue(state.StateDirectory, out var token)
            ? token
            : AdminTokenSource.Read(null, state.AdminTokenFile ?? UpRequest.DefaultAdminTokenFile);
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
