using System.CommandLine;
using SkillVL.Drivers.Proxmox;
using SkillVL.Drivers.Proxmox.Api;
using SkillVL.Drivers.Proxmox.Checks;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl cluster check</c>: a read-only readiness check of a Proxmox VE cluster, run by an operator before SkillVL
/// drives it (issue 15). It talks to PVE directly (pinned TLS, API token), not to a SkillVL server.
/// </summary>
internal static class ClusterCommands
{
    public static Command Create(CommandRunner runner)
    {
        var cluster = new Command("cluster", "Proxmox VE clusters SkillVL can run machines on");
        cluster.Subcommands.Add(Check(runner));
        return cluster;
    }

    private static Command Check(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "A name for the cluster in messages (default: its host)", Arity = ArgumentArity.ZeroOrOne };
        var url = new Option<string>("--url") { Description = "The PVE API address, https://HOST:8006", HelpName = "URL", Required = true };
        var tokenId = new Option<string>("--token-id") { Description = "The API token id, USER@REALM!TOKENID", HelpName = "ID", Required = true };
        var secretFile = new Option<string>("--secret-file") { Description = "A file holding the token's secret, readable only by you (mode 0600)", HelpName = "FILE", Required = true };
        var fingerprint = new Option<string>("--fingerprint") { Description = "SHA-256 fingerprint of the API certificate (`pvenode cert info`)", HelpName = "SHA256", Required = true };
        var zone = new Option<string?>("--zone") { Description = "The VXLAN SDN zone for room networks (default: any VXLAN zone)", HelpName = "ZONE" };
        var storage = new Option<string?>("--storage") { Description = "The storage for VM disks (default: any with content 'images')", HelpName = "STORAGE" };
        var templates = new Option<string[]>("--template") { Description = "A template that must exist (repeatable)", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
        var command = new Command(
            "check",
            "Check, read-only, that a Proxmox VE cluster is ready for SkillVL: version, token privileges, VXLAN zone, storage, templates; exit 1 if something required is missing")
        {
            name, url, tokenId, secretFile, fingerprint, zone, storage, templates,
        };
        command.SetAction(runner.LocalAction(async (parseResult, _, cancellationToken) =>
        {
            var target = Connection(
                parseResult.GetValue(name), parseResult.GetRequiredValue(url), parseResult.GetRequiredValue(tokenId),
                parseResult.GetRequiredValue(secretFile), parseResult.GetRequiredValue(fingerprint));
            var options = new ClusterCheckOptions(parseResult.GetValue(zone), parseResult.GetValue(storage), parseResult.GetValue(templates) ?? []);
            using var client = new ProxmoxClient(new ProxmoxHttp(target));
            ClusterCheckReport report;
            try
            {
                report = await new ClusterCheck(client).RunAsync(options, cancellationToken);
            }
            catch (ProxmoxException e)
            {
                throw new CliException(e.Message, e.StatusCode is null && e.IsTransient ? ExitCodes.ServerUnreachable : ExitCodes.Error);
            }

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

    /// <summary>Validates the options into a connection; every bad value is a usage error naming its option.</summary>
    private static ProxmoxCluster Connection(string? name, string url, string tokenId, string secretFile, string fingerprint)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || baseUri.Scheme != Uri.UriSchemeHttps || baseUri.AbsolutePath != "/")
        {
            throw new CliException($"--url: '{url}' is not an https address without a path, e.g. https://pve1.example.org:8006", ExitCodes.Usage);
        }

        try
        {
            var token = ApiToken.Create(tokenId, ReadSecret(secretFile));
            return new ProxmoxCluster(name ?? baseUri.Host, baseUri, token, CertificatePin.Parse(fingerprint));
        }
        catch (ArgumentException e)
        {
            var option = e.ParamName switch { "id" => "--token-id", "secret" => "--secret-file", _ => "--fingerprint" };
            throw new CliException($"{option}: {e.Message.Split(" (Parameter", 2)[0]}", ExitCodes.Usage);
        }
    }

    private static string ReadSecret(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--secret-file: {path} does not exist", ExitCodes.Usage);
        }

        // The secret is a password in all but name: refuse a file others can read rather than use it and leak it further.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new CliException($"--secret-file: {path} can be read by other users; run `chmod 600 {path}`", ExitCodes.Usage);
        }

        return File.ReadAllText(path);
    }
}
