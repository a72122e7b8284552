using System.CommandLine;
using SkillVL.Cli.Configuration;
using SkillVL.Drivers.Proxmox;
using SkillVL.Drivers.Proxmox.Api;
using SkillVL.Drivers.Proxmox.Checks;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl cluster check NAME</c> (or with <c>--url --token-id --secret-file --fingerprint</c>): a read-only readiness
/// check an operator runs against a real cluster; exit 1 when something required is missing (docs/deploy/proxmox.md).
/// </summary>
internal static class ClusterCheckCommand
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string?>("NAME") { Description = "A registered cluster, or a name for messages when the connection options are given", Arity = ArgumentArity.ZeroOrOne };
        var connection = new ClusterConnectionOptions();
        var zone = new Option<string?>("--zone") { Description = "The VXLAN SDN zone for room networks (default: any VXLAN zone)", HelpName = "ZONE" };
        var storage = new Option<string?>("--storage") { Description = "The storage for VM disks (default: any with content 'images')", HelpName = "STORAGE" };
        var templates = new Option<string[]>("--template") { Description = "A template that must exist (repeatable)", HelpName = "NAME" };
        var command = new Command(
            "check",
            "Check, read-only, that a Proxmox VE cluster is ready for SkillVL: version, token privileges, VXLAN zone, storage, templates; exit 1 if something required is missing")
        {
            name, zone, storage, templates,
        };
        connection.AddTo(command);
        command.SetAction(runner.LocalAction(async (parseResult, _, cancellationToken) =>
        {
            var target = Resolve(runner, connection, parseResult, parseResult.GetValue(name));
            var options = new ClusterCheckOptions(parseResult.GetValue(zone), parseResult.GetValue(storage), parseResult.GetValue(templates) ?? []);
            using var client = new ProxmoxClient(new ProxmoxHttp(target));
            var report = await ClusterCommands.Talk(() => new ClusterCheck(client).RunAsync(options, cancellationToken));

            var output = runner.Context.Out;
            output.WriteLine($"cluster {target}");
            var width = report.Items.Max(i => i.Area.Length);
            foreach (var item in report.Items)
            {
                var state = item.State switch { CheckState.Ok => "ok", CheckState.Warning => "warning", _ => "MISSING" };
                output.WriteLine($"  {state,-8} {item.Area.PadRight(width)}  {item.Detail}");
            }

            var missing = report.Items.Count(i => i.State == CheckState.Missing);
            output.WriteLine(report.Passed
                ? "ready: nothing required is missing"
                : $"not ready: {missing} required item{(missing == 1 ? " is" : "s are")} missing (docs/deploy/proxmox.md)");
            return report.Passed ? ExitCodes.Ok : ExitCodes.Error;
        }));
        return command;
    }

    private static ProxmoxCluster Resolve(CommandRunner runner, ClusterConnectionOptions connection, ParseResult parseResult, string? name)
    {
        if (connection.AnyGiven(parseResult))
        {
            return connection.FromOptions(parseResult, name).Cluster;
        }

        if (name is null)
        {
            throw new CliException("name a registered cluster (skillvl cluster list), or give --url, --token-id, --secret-file and --fingerprint", ExitCodes.Usage);
        }

        return new ClusterRegistry(runner.Context.Environment).Load().TryGetValue(name, out var saved)
            ? ClusterConnectionOptions.Connect(name, saved)
            : throw new CliException($"cluster '{name}' is not registered (skillvl cluster add {name} --url ...)", ExitCodes.NotFound);
    }
}
