using System.CommandLine;

namespace SkillVL.Testbed.Commands;

/// <summary><c>skillvl-testbed down</c>.</summary>
internal static class DownCommand
{
    public static Command Create(TestbedContext context)
    {
        var state = StateOption.Create();
        var adminToken = new Option<string>("--admin-token") { Description = "An admin API token, to remove the testbed's nodes at the Server (default: as up found it)", HelpName = "TOKEN" };
        var adminTokenFile = new Option<string>("--admin-token-file") { Description = "File with the admin API token (default: the file up read, else $SKILLVL_DATA/admin-token)", HelpName = "FILE" };
        var command = new Command("down", "Remove everything the testbed made: its nodes at the Server, agents, emulators, NAT routers, namespaces, interfaces, bridge, files")
        {
            state, adminToken, adminTokenFile,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var directory = parseResult.GetValue(state)!;
            var request = new DownRequest { StateDirectory = directory, AdminToken = parseResult.GetValue(adminToken), AdminTokenFile = parseResult.GetValue(adminTokenFile) };
            var report = await new TestbedController(context.Out, context.Time).DownAsync(request, cancellationToken);
            if (report.NothingWasUp)
            {
                await context.Out.WriteLineAsync($"no testbed is up (no state in {Path.GetFullPath(directory)}); nothing to do");
            }
            else
            {
                await context.Out.WriteLineAsync("testbed removed");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
