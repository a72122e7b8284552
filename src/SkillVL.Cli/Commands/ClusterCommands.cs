using System.CommandLine;
using SkillVL.Cli.Configuration;
using SkillVL.Cli.Output;
using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl cluster add|list|remove|check</c>: Proxmox VE clusters (issue 15). These talk to PVE directly (pinned
/// TLS, API token) and keep registered clusters in this user's <see cref="ClusterRegistry"/>, not on a SkillVL server.
/// </summary>
internal static class ClusterCommands
{
    public static Command Create(CommandRunner runner)
    {
        var cluster = new Command("cluster", "Proxmox VE clusters SkillVL can run machines on");
        cluster.Subcommands.Add(Add(runner));
        cluster.Subcommands.Add(List(runner));
        cluster.Subcommands.Add(Remove(runner));
        cluster.Subcommands.Add(ClusterCheckCommand.Create(runner));
        return cluster;
    }

    internal static async Task<T> Talk<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ProxmoxException e)
        {
            throw new CliException(e.Message, e.StatusCode is null && e.IsTransient ? ExitCodes.ServerUnreachable : ExitCodes.Error);
        }
    }

    private static Command Add(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The cluster's name in SkillVL (lower-case letters, digits, '-')" };
        var connection = new ClusterConnectionOptions();
        var command = new Command("add", "Register a cluster after checking that its certificate matches the fingerprint and the token is accepted") { name };
        connection.AddTo(command);
        command.SetAction(runner.LocalAction(async (parseResult, _, cancellationToken) =>
        {
            var clusterName = parseResult.GetRequiredValue(name);
            if (!ClusterRegistry.IsValidName(clusterName))
            {
                throw new CliException($"NAME: '{clusterName}' is not a cluster name (lower-case letters, digits and '-', at most 32)", ExitCodes.Usage);
            }

            var registry = new ClusterRegistry(runner.Context.Environment);
            var clusters = registry.Load();
            if (clusters.ContainsKey(clusterName))
            {
                throw new CliException($"cluster '{clusterName}' is already registered (`skillvl cluster remove {clusterName}` first)", ExitCodes.Conflict);
            }

            var (target, saved) = connection.FromOptions(parseResult, clusterName);

            // Saved only once PVE answered through the pinned certificate with this token: nothing half-registered.
            using var client = new ProxmoxClient(new ProxmoxHttp(target));
            var version = await Talk(() => client.GetVersionAsync(cancellationToken));
            clusters[clusterName] = saved;
            registry.Save(clusters);
            runner.Context.Out.WriteLine($"cluster {clusterName} added: {target.BaseUri} (pve-manager {version.Version}) as {saved.TokenId}; next: skillvl cluster check {clusterName}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "List registered clusters (never their secrets)");
        command.Aliases.Add("ls");
        command.SetAction(runner.LocalAction((_, _, _) =>
        {
            var table = new TableView("NAME", "URL", "TOKEN", "FINGERPRINT");
            foreach (var (name, cluster) in new ClusterRegistry(runner.Context.Environment).Load())
            {
                table.Add([name, cluster.Url, cluster.TokenId, cluster.Fingerprint]);
            }

            new Printer(runner.Context).Table(table);
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static Command Remove(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "A registered cluster" };
        var command = new Command("remove", "Forget a registered cluster (nothing on the cluster changes)") { name };
        command.SetAction(runner.LocalAction((parseResult, _, _) =>
        {
            var clusterName = parseResult.GetRequiredValue(name);
            var registry = new ClusterRegistry(runner.Context.Environment);
            var clusters = registry.Load();
            if (!clusters.Remove(clusterName))
            {
                throw new CliException($"cluster '{clusterName}' is not registered", ExitCodes.NotFound);
            }

            registry.Save(clusters);
            runner.Context.Out.WriteLine($"cluster {clusterName} removed");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
