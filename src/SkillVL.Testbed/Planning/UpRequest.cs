namespace SkillVL.Testbed.Planning;

/// <summary>
/// What <c>skillvl-testbed up</c> was asked for, as typed (strings are parsed and checked by
/// <see cref="TestbedPlan.Create"/>, which names the option of the first bad value).
/// </summary>
public sealed record UpRequest
{
    public const string DefaultPrefix = "svltb";
    public const string DefaultSubnet = "198.18.0.0/24";
    public const string DefaultStateDirectory = "/var/lib/skillvl-testbed";
    public const string DefaultServer = "unix:/run/skillvl/agent.sock";
    public const string DefaultAdminTokenFile = "/var/lib/skillvl/admin-token";

    /// <summary>Server nodes node1..nodeN (<c>--nodes</c>), 1 to <see cref="TestbedPlan.MaxServerNodes"/>. Default 3.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Client nodes by name (<c>--client</c>, repeatable): lower-case letters, digits and '-', starting with a letter.</summary>
    public IReadOnlyList<string> Clients { get; init; } = [];

    /// <summary>
    /// A client's owner by client name (a username on the Server): its agent then joins with a client token for that user,
    /// so the node is that student's own computer (issue 12) — what the placement advisor moves a student's machine to.
    /// A client not named here joins with a token of any kind and has no owner (an admin's).
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientOwners { get; init; } = new Dictionary<string, string>();

    /// <summary>Rate of every client link in each direction (<c>--bandwidth</c>), tc units: <c>50mbit</c>. Default 1gbit.</summary>
    public string Bandwidth { get; init; } = "1gbit";

    /// <summary>Round-trip time every client link adds (<c>--rtt</c>), half per direction: <c>40ms</c>. Default 0ms.</summary>
    public string Rtt { get; init; } = "0ms";

    /// <summary>Random loss of each direction of every client link (<c>--loss</c>): <c>0.1%</c>. Default 0%.</summary>
    public string Loss { get; init; } = "0%";

    /// <summary>
    /// Prefix of every name the testbed makes on the host (<c>--prefix</c>): bridge <c>PREFIX0</c>, namespaces
    /// <c>PREFIX-node1</c>, interfaces <c>PREFIXn1</c>, <c>PREFIXc1u</c>… 2-8 lower-case letters and digits,
    /// starting with a letter. Default <c>svltb</c>; tests use their own so they never touch a real testbed.
    /// </summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Underlay /24 inside 198.18.0.0/15 (<c>--subnet</c>): .1 the bridge, .11.. server nodes, .101.. clients. Default 198.18.0.0/24.</summary>
    public string Subnet { get; init; } = DefaultSubnet;

    /// <summary>Directory of testbed.json, the nodes' data/runtime directories and the logs (<c>--state</c>).</summary>
    public string StateDirectory { get; init; } = DefaultStateDirectory;

    /// <summary>
    /// Every client sits behind a NAT router of its own (<c>--behind-nat</c>): a namespace that masquerades the
    /// client's traffic to the underlay and lets nothing in (docs/testbed.md, ADR 0018). Needs at least one client.
    /// </summary>
    public bool BehindNat { get; init; }

    /// <summary>Build only the network; start no agents (<c>--no-agents</c>).</summary>
    public bool NoAgents { get; init; }

    /// <summary>The node agent executable (<c>--agent-command</c>; a <c>.dll</c> is run with <c>dotnet</c>). Null: <c>.build/agent/skillvl-agent</c> of the repository.</summary>
    public string? AgentCommand { get; init; }

    /// <summary>Server URL for the agents and for join tokens (<c>--server</c>): <c>unix:/path</c> or <c>http(s)://…</c>.</summary>
    public string Server { get; init; } = DefaultServer;

    /// <summary>Admin API token for <c>POST /api/v1/nodes/join-tokens</c> (<c>--admin-token</c>); else read from <see cref="AdminTokenFile"/>.</summary>
    public string? AdminToken { get; init; }

    /// <summary>File holding the admin API token (<c>--admin-token-file</c>). Default /var/lib/skillvl/admin-token.</summary>
    public string AdminTokenFile { get; init; } = DefaultAdminTokenFile;

    /// <summary>
    /// In-process callers only (tests, benchmarks): called once the underlay bridge has its address, before any agent
    /// starts; returns the Server URL the agents get instead of <see cref="Server"/> (join tokens still use
    /// <see cref="Server"/>). With an <see cref="Network.UnderlayServerRelay"/> on that address the agents reach the
    /// Server over the underlay, so a client node's Server traffic crosses its emulated link.
    /// </summary>
    public Func<System.Net.IPAddress, CancellationToken, Task<string>>? AgentServerOnUnderlay { get; init; }

    /// <summary>The link emulator (<c>--linkem</c>); null: next to this program, else <c>.build/linkem/skillvl-linkem</c> of the repository.</summary>
    public string? Linkem { get; init; }
}
