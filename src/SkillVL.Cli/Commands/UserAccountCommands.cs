using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl user set-role|disable|enable</c> (admins; issue 17, ADR 0043). The server refuses a change of one's own
/// account and of the last enabled admin (exit 7, its message); an unknown role is refused before anything is sent.
/// </summary>
internal static class UserAccountCommands
{
    public static IEnumerable<Command> Create(CommandRunner runner) => [SetRole(runner), Disable(runner), Enable(runner)];

    private static Command SetRole(CommandRunner runner)
    {
        var name = new Argument<string>("USER") { Description = "The username (or user id)" };
        var role = new Argument<string>("ROLE") { Description = "The new platform role: " + string.Join(", ", PlatformRoles.All) };
        role.AcceptOnlyFromAmong([.. PlatformRoles.All]);
        var command = new Command("set-role", "Set a user's platform role; it counts from the user's next request (not your own role)") { name, role };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            var answer = await client.SendJsonAsync(
                HttpMethod.Put, ApiPaths.User(username) + "/role", new SetRoleRequest(parseResult.GetRequiredValue(role)), $"user '{username}'", cancellationToken);
            var user = ApiJson.Read<UserInfo>(answer);
            runner.Context.Out.WriteLine($"user {user.Username} is now {user.Role}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Disable(CommandRunner runner)
    {
        var name = new Argument<string>("USER") { Description = "The username (or user id)" };
        var command = new Command(
            "disable",
            "Disable an account: it cannot log in, its sessions end and its API tokens are refused until enabled; its rooms and VMs stay as they are")
        {
            name,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            var user = ApiJson.Read<UserInfo>(await client.PostAsync(ApiPaths.User(username) + "/disable", $"user '{username}'", cancellationToken));
            runner.Context.Out.WriteLine($"user {user.Username} disabled; their sessions ended, their API tokens are refused, their rooms and VMs are left as they are");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Enable(CommandRunner runner)
    {
        var name = new Argument<string>("USER") { Description = "The username (or user id)" };
        var command = new Command("enable", "Enable a disabled account: its password and API tokens work again (old login sessions do not)") { name };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            var user = ApiJson.Read<UserInfo>(await client.PostAsync(ApiPaths.User(username) + "/enable", $"user '{username}'", cancellationToken));
            runner.Context.Out.WriteLine($"user {user.Username} enabled; they can log in again");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
