using System.Globalization;
using System.Text.RegularExpressions;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.Testbed.Agents;

namespace SkillVL.Testbed.Planning;

/// <summary>
/// A checked <see cref="UpRequest"/>: every name and address the testbed will make, decided before anything is
/// made. Pure: no I/O, so every bad value is reported before the host is touched.
/// </summary>
public sealed partial record TestbedPlan
{
    /// <summary>Server node i gets host .10+i of the /24; .100 and up belong to clients.</summary>
    public const int MaxServerNodes = 89;

    /// <summary>Client j gets host .100+j; .255 is broadcast.</summary>
    public const int MaxClients = 154;

    /// <summary>Written on every interface the testbed creates in the root namespace (ifalias), with the prefix.</summary>
    public const string AliasPrefix = "skillvl-testbed:";

    public required string Prefix { get; init; }

    public required UnderlaySubnet Subnet { get; init; }

    /// <summary>The underlay bridge in the root namespace, <c>PREFIX0</c>.</summary>
    public required string Bridge { get; init; }

    /// <summary>The bridge's address (.1 of the subnet).</summary>
    public required string BridgeAddress { get; init; }

    public required string StateDirectory { get; init; }

    public required IReadOnlyList<NodePlan> Nodes { get; init; }

    /// <summary>The profile of every client link (also when there are no clients: it was still checked).</summary>
    public required LinkPlan Link { get; init; }

    /// <summary>False with <c>--no-agents</c>.</summary>
    public required bool StartAgents { get; init; }

    /// <summary><c>--behind-nat</c>: every client has a <see cref="NodePlan.Nat"/> router.</summary>
    public bool BehindNat { get; init; }

    /// <summary>The ifalias that marks an interface as this testbed's.</summary>
    public string Alias => AliasPrefix + Prefix;

    public string StateFile => Path.Combine(StateDirectory, StateFileName);

    public const string StateFileName = "testbed.json";

    /// <summary>Checks <paramref name="request"/> and derives every name and address.</summary>
    /// <exception cref="TestbedException">A usage error naming the option of the first bad value.</exception>
    public static TestbedPlan Create(UpRequest request)
    {
        var prefix = request.Prefix;
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw TestbedException.Usage("--prefix", $"'{prefix}' is not a prefix: 2-8 lower-case letters and digits, starting with a letter (interface names may have at most 15 characters)");
        }

        if (request.Nodes is < 1 or > MaxServerNodes)
        {
            throw TestbedException.Usage("--nodes", $"{request.Nodes} is out of range; 1 to {MaxServerNodes} server nodes");
        }

        var subnet = UnderlaySubnet.Parse("--subnet", request.Subnet);
        var link = ParseLink(request);
        var state = ParseStateDirectory(request.StateDirectory);

        var nodes = new List<NodePlan>();
        for (var i = 1; i <= request.Nodes; i++)
        {
            nodes.Add(new NodePlan(
                Invariant($"node{i}"), NodeKind.Server, Invariant($"{prefix}-node{i}"), subnet.Host(10 + i), Invariant($"{prefix}n{i}"), null, null));
        }

        if (request.Clients.Count > MaxClients)
        {
            throw TestbedException.Usage("--client", $"{request.Clients.Count} clients are too many; at most {MaxClients} fit the /24");
        }

        if (request.ClientOwners.Keys.FirstOrDefault(c => !request.Clients.Contains(c)) is { } stranger)
        {
            throw TestbedException.Usage("--client", $"an owner is given for '{stranger}', which is not one of the clients");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 1; j <= request.Clients.Count; j++)
        {
            var name = request.Clients[j - 1];
            if (!ClientPattern().IsMatch(name))
            {
                throw TestbedException.Usage("--client", $"'{name}' is not a client name: 1-32 lower-case letters, digits and '-', starting with a letter and not ending with '-'");
            }

            if (ServerNamePattern().IsMatch(name))
            {
                throw TestbedException.Usage("--client", $"'{name}' is reserved for server nodes (node1, node2, ...); pick another client name");
            }

            if (!seen.Add(name))
            {
                throw TestbedException.Usage("--client", $"'{name}' is given twice");
            }

            if (!request.BehindNat)
            {
                nodes.Add(new NodePlan(
                    name, NodeKind.Client, $"{prefix}-{name}", subnet.Host(100 + j), null, Invariant($"{prefix}c{j}u"), Invariant($"{prefix}c{j}e")));
                continue;
            }

            // Behind NAT: the emulator's side B is the router's inside leg (c<j>i), the router takes .100+j on the
            // underlay through its own veth (c<j>o), and the client lives on 100.64.j.0/24 (RFC 6598).
            var nat = new NatPlan(
                $"{prefix}-{name}{NatPlan.NamespaceSuffix}",
                Invariant($"{prefix}c{j}o"),
                subnet.Host(100 + j),
                Invariant($"100.64.{j}.0/{UnderlaySubnet.PrefixLength}"),
                Invariant($"100.64.{j}.1"),
                Invariant($"100.64.{j}.2"));
            nodes.Add(new NodePlan(
                name, NodeKind.Client, $"{prefix}-{name}", nat.ClientAddress, null, Invariant($"{prefix}c{j}i"), Invariant($"{prefix}c{j}e"), nat));
        }

        if (request.BehindNat)
        {
            if (request.Clients.Count == 0)
            {
                throw TestbedException.Usage("--behind-nat", "puts clients behind NAT, and there is no --client; add one (--client laptop1) or drop --behind-nat");
            }

            // Client names may contain '-': a client "a-gw" would take the router namespace of client "a".
            var clientNamespaces = nodes.Select(n => n.Namespace).ToHashSet(StringComparer.Ordinal);
            if (nodes.FirstOrDefault(n => n.Nat is { } nat && clientNamespaces.Contains(nat.RouterNamespace)) is { } clash)
            {
                throw TestbedException.Usage("--client", $"'{clash.Name}{NatPlan.NamespaceSuffix}' would share a namespace with the NAT router of '{clash.Name}'; pick another client name");
            }
        }

        if (!request.NoAgents)
        {
            ServerAddress.Parse("--server", request.Server);
        }
        else if (request.AgentCommand is not null)
        {
            throw TestbedException.Usage("--agent-command", "cannot be combined with --no-agents");
        }

        return new TestbedPlan
        {
            Prefix = prefix,
            Subnet = subnet,
            Bridge = prefix + "0",
            BridgeAddress = subnet.Host(1),
            StateDirectory = state,
            Nodes = nodes,
            Link = link,
            StartAgents = !request.NoAgents,
            BehindNat = request.BehindNat,
        };
    }

    private static LinkPlan ParseLink(UpRequest request)
    {
        try
        {
            // Each value on its own first, so the message names the option the user typed…
            LinkQuantities.ParseRate("--bandwidth", request.Bandwidth);
            LinkQuantities.ParseDuration("--rtt", request.Rtt);
            LinkQuantities.ParsePercentage("--loss", request.Loss);

            // …then the profile as skillvl-linkem will build it (ranges and relations between the values).
            var profile = LinkProfile.Parse(request.Bandwidth, rtt: request.Rtt, loss: request.Loss);
            return new LinkPlan(request.Bandwidth, request.Rtt, request.Loss, profile);
        }
        catch (LinkProfileException e)
        {
            var option = e.Field switch { "rate" => "--bandwidth", "delay" or "rtt" => "--rtt", "loss" => "--loss", var other => other };
            var message = e.Message.StartsWith(e.Field + ": ", StringComparison.Ordinal) ? e.Message[(e.Field.Length + 2)..] : e.Message;
            throw TestbedException.Usage(option, message);
        }
    }

    private static string ParseStateDirectory(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw TestbedException.Usage("--state", "a directory is required");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(text));
        if (full == "/" || full.Length == 0)
        {
            throw TestbedException.Usage("--state", "'/' cannot be the state directory; give a directory of its own such as /var/lib/skillvl-testbed");
        }

        return full;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z][a-z0-9]{1,7}$")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex("^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex ClientPattern();

    [GeneratedRegex("^node[0-9]+$")]
    private static partial Regex ServerNamePattern();
}
