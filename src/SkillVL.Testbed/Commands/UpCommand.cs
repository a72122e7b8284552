using System.CommandLine;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.Status;

namespace SkillVL.Testbed.Commands;

/// <summary><c>skillvl-testbed up</c>.</summary>
internal static class UpCommand
{
    public static Command Create(TestbedContext context)
    {
        var nodes = new Option<int>("--nodes") { Description = $"Server nodes node1..nodeN, 1-{TestbedPlan.MaxServerNodes}", HelpName = "N", DefaultValueFactory = _ => 3 };
        var clients = new Option<string[]>("--client")
        {
            Description = "A client node by name (repeat for more), e.g. laptop1; its link is shaped by skillvl-linkem",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var bandwidth = new Option<string>("--bandwidth") { Description = "Rate of each client link, each direction, in bits/s of Ethernet frames (tc units: 10mbit, 1gbit)", HelpName = "RATE", DefaultValueFactory = _ => "1gbit" };
        var rtt = new Option<string>("--rtt") { Description = "Round-trip time each client link adds (half per direction), e.g. 40ms", HelpName = "DURATION", DefaultValueFactory = _ => "0ms" };
        var loss = new Option<string>("--loss") { Description = "Random loss of each direction of a client link, e.g. 0.1%", HelpName = "PERCENT", DefaultValueFactory = _ => "0%" };
        var behindNat = new Option<bool>("--behind-nat") { Description = "Put every client behind a NAT router of its own (masquerading to the underlay; nothing gets in; 100.64.j.0/24 inside)" };
        var agentCommand = new Option<string>("--agent-command") { Description = "The node agent (default: next to this program, else .build/agent/skillvl-agent; a .dll runs with dotnet)", HelpName = "PATH" };
        var noAgents = new Option<bool>("--no-agents") { Description = "Build the network only; start no node agents" };
        var server = new Option<string>("--server")
        {
            Description = "The Server, for join tokens and for the agents: unix:/path or http(s)://host:port (default unix:$SKILLVL_RUNTIME/agent.sock, SKILLVL_RUNTIME defaulting to /run/skillvl)",
            HelpName = "URL",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SKILLVL_RUNTIME") is { Length: > 0 } runtime ? $"unix:{Path.Combine(runtime, "agent.sock")}" : UpRequest.DefaultServer,
        };
        var adminToken = new Option<string>("--admin-token") { Description = "An admin API token (to create join tokens); else read from --admin-token-file", HelpName = "TOKEN" };
        var adminTokenFile = new Option<string>("--admin-token-file")
        {
            Description = "File with the admin API token (default $SKILLVL_DATA/admin-token, SKILLVL_DATA defaulting to /var/lib/skillvl, as ./skillvl up uses them)",
            HelpName = "FILE",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SKILLVL_DATA") is { Length: > 0 } data ? Path.Combine(data, "admin-token") : UpRequest.DefaultAdminTokenFile,
        };
        var linkem = new Option<string>("--linkem") { Description = "skillvl-linkem (default: next to this program, else .build/linkem/skillvl-linkem)", HelpName = "PATH" };
        var prefix = new Option<string>("--prefix") { Description = "Prefix of every host name the testbed makes (bridge PREFIX0, netns PREFIX-node1, …): 2-8 of a-z0-9", HelpName = "PREFIX", DefaultValueFactory = _ => UpRequest.DefaultPrefix };
        var subnet = new Option<string>("--subnet") { Description = "Underlay /24 inside 198.18.0.0/15 (.1 bridge, .11+ nodes, .101+ clients)", HelpName = "CIDR", DefaultValueFactory = _ => UpRequest.DefaultSubnet };
        var state = StateOption.Create();
        var output = StateOption.Output();

        var command = new Command("up", "Create the testbed: underlay bridge, a namespace per node, shaped client links, node agents")
        {
            nodes, clients, bandwidth, rtt, loss, behindNat, agentCommand, noAgents, server, adminToken, adminTokenFile, linkem, prefix, subnet, state, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = new UpRequest
            {
                Nodes = parseResult.GetValue(nodes),
                Clients = parseResult.GetValue(clients) ?? [],
                Bandwidth = parseResult.GetValue(bandwidth)!,
                Rtt = parseResult.GetValue(rtt)!,
                Loss = parseResult.GetValue(loss)!,
                BehindNat = parseResult.GetValue(behindNat),
                AgentCommand = parseResult.GetValue(agentCommand),
                NoAgents = parseResult.GetValue(noAgents),
                Server = parseResult.GetValue(server)!,
                AdminToken = parseResult.GetValue(adminToken),
                AdminTokenFile = parseResult.GetValue(adminTokenFile)!,
                Linkem = parseResult.GetValue(linkem),
                Prefix = parseResult.GetValue(prefix)!,
                Subnet = parseResult.GetValue(subnet)!,
                StateDirectory = parseResult.GetValue(state)!,
            };
            var json = parseResult.GetValue(output) == "json";

            // Progress goes to stderr with -o json, so stdout stays one JSON document.
            var controller = new TestbedController(json ? context.Error : context.Out, context.Time);
            var status = await controller.UpAsync(request, cancellationToken);
            if (json)
            {
                StatusPrinter.Json(context.Out, status);
            }
            else
            {
                await context.Out.WriteLineAsync();
                StatusPrinter.Table(context.Out, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
