using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl user add|list|get|delete|quota|passwd</c> (admins; <c>passwd</c> without a name for everyone), and
/// <c>set-role|disable|enable</c> (<see cref="UserAccountCommands"/>).
/// </summary>
internal static class UserCommands
{
    public static Command Create(CommandRunner runner)
    {
        var user = new Command("user", "Platform users, their roles and quotas (admins); your own password");
        user.Subcommands.Add(Add(runner));
        user.Subcommands.Add(List(runner));
        user.Subcommands.Add(Get(runner));
        user.Subcommands.Add(Delete(runner));
        user.Subcommands.Add(Quota(runner));
        user.Subcommands.Add(Passwd(runner));
        foreach (var command in UserAccountCommands.Create(runner))
        {
            user.Subcommands.Add(command);
        }

        return user;
    }

    private static Command Passwd(CommandRunner runner)
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "Reset this user's password (admins); without it, change your own",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "With NAME: read the new password from the first line of stdin; without it the server generates one and it is printed once",
        };
        var revokeTokens = new Option<bool>("--revoke-api-tokens")
        {
            Description = "Your own change: also revoke all your personal API tokens (a reset of another user always does)",
        };
        var command = new Command(
            "passwd",
            "Change your password (stdin: current password, then the new one, one per line) or reset a user's (NAME, admins). "
            + "Either ends every login session of the account")
        {
            name, passwordStdin, revokeTokens,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var context = runner.Context;
            if (parseResult.GetValue(name) is not { } username)
            {
                var current = await ReadPasswordLineAsync(context, "your current password", cancellationToken);
                var chosen = await ReadPasswordLineAsync(context, "the new password", cancellationToken);
                var revoke = parseResult.GetValue(revokeTokens);
                await client.SendJsonAsync(HttpMethod.Post, ApiPaths.Me + "/password", new ChangePasswordRequest(current, chosen, revoke), "your password", cancellationToken);
                context.Out.WriteLine("password changed; all your login sessions ended (skillvl login to log in again)");
                context.Out.WriteLine(revoke
                    ? "your personal API tokens were revoked"
                    : "your personal API tokens still work (skillvl token list; revoke with skillvl token revoke ID)");
                return ExitCodes.Ok;
            }

            if (parseResult.GetValue(revokeTokens))
            {
                throw new CliException("--revoke-api-tokens: a reset of another user's password always revokes their API tokens", ExitCodes.InvalidInput);
            }

            var password = parseResult.GetValue(passwordStdin) ? await ReadPasswordLineAsync(context, "the new password", cancellationToken) : null;
            var answer = await client.SendJsonAsync(HttpMethod.Put, ApiPaths.User(username) + "/password", new SetPasswordRequest(password), $"user '{username}'", cancellationToken);
            var reset = ApiJson.Read<CreatedUser>(answer);
            context.Out.WriteLine($"password of {reset.User.Username} reset; their login sessions ended and their API tokens were revoked");
            if (reset.InitialPassword is { Length: > 0 } generated)
            {
                context.Out.WriteLine($"new password (shown only this once): {generated}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<string> ReadPasswordLineAsync(CliContext context, string what, CancellationToken cancellationToken)
    {
        var line = (await context.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r');
        return string.IsNullOrEmpty(line) ? throw new CliException($"stdin holds no line with {what}", ExitCodes.InvalidInput) : line;
    }

    private static Command Add(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The username" };
        var role = new Option<string>("--role")
        {
            Description = "The platform role",
            HelpName = string.Join("|", PlatformRoles.All),
            Required = true,
        };
        role.AcceptOnlyFromAmong([.. PlatformRoles.All]);
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from the first line of stdin; without it the server generates one and it is printed once",
        };
        var displayName = new Option<string>("--display-name") { Description = "The name shown for the user", HelpName = "TEXT" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("add", "Add a local account") { name, role, passwordStdin, displayName, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            string? password = null;
            if (parseResult.GetValue(passwordStdin))
            {
                password = (await runner.Context.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r');
                if (string.IsNullOrEmpty(password))
                {
                    throw new CliException("--password-stdin: stdin holds no password", ExitCodes.InvalidInput);
                }
            }

            var request = new CreateUserRequest(username, parseResult.GetRequiredValue(role), password, parseResult.GetValue(displayName));
            var answer = await client.SendJsonAsync(HttpMethod.Post, ApiPaths.Users, request, $"user '{username}'", cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            var created = ApiJson.Read<CreatedUser>(answer);
            runner.Context.Out.WriteLine($"user {created.User.Username} created ({created.User.Role})");
            if (created.InitialPassword is { Length: > 0 } initial)
            {
                runner.Context.Out.WriteLine($"initial password (shown only this once): {initial}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List users") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Users, "users", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("USERNAME", "ROLE", "STATE", "DISPLAY NAME", "SOURCE", "QUOTA", "AGE");
            foreach (var user in ApiJson.Read<List<UserInfo>>(answer))
            {
                table.Add(
                    user.Username,
                    user.Role,
                    user.DisabledAt is null ? "enabled" : "disabled",
                    DisplayFormat.OrNone(user.DisplayName),
                    user.Source,
                    DisplayFormat.Quota(user.QuotaOverride, "default"),
                    DisplayFormat.Age(user.CreatedAt, now));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The username (or user id)" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("get", "Show a user") { name, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            var answer = await client.GetAsync(ApiPaths.User(username), $"user '{username}'", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            PrintUser(printer, ApiJson.Read<UserInfo>(answer), runner.Context.TimeProvider.GetUtcNow());
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The username (or user id)" };
        var command = new Command("delete", "Delete a user") { name };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            await client.DeleteAsync(ApiPaths.User(username), $"user '{username}'", cancellationToken);
            runner.Context.Out.WriteLine($"user {username} deleted");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Quota(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The username (or user id)" };
        var quota = new QuotaOptions(allowDefault: true);
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "quota",
            "Show a user's quota override, or change the limits given (the others are kept; a limit not overridden is the server's default)")
        {
            name, output,
        };
        quota.AddTo(command);
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var username = parseResult.GetRequiredValue(name);
            var subject = $"user '{username}'";
            var change = quota.AnyGiven(parseResult);
            if (change)
            {
                // Check the values before asking the server anything.
                quota.Read(parseResult);
            }

            var answer = await client.GetAsync(ApiPaths.User(username), subject, cancellationToken);
            if (change)
            {
                var limits = quota.Read(parseResult, ApiJson.Read<UserInfo>(answer).QuotaOverride);
                answer = await client.SendJsonAsync(HttpMethod.Put, $"{ApiPaths.User(username)}/quota", limits, subject, cancellationToken);
            }

            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var user = ApiJson.Read<UserInfo>(answer);
            var limitsNow = user.QuotaOverride ?? new QuotaLimits();
            printer.Table(new TableView("RESOURCE", "LIMIT")
                .Add("cpus", limitsNow.Cpus is { } cpus ? DisplayFormat.Number(cpus) : QuotaOptions.Default)
                .Add("memory", limitsNow.MemoryBytes is { } memory ? DisplayFormat.Bytes(memory) : QuotaOptions.Default)
                .Add("disk", limitsNow.DiskBytes is { } disk ? DisplayFormat.Bytes(disk) : QuotaOptions.Default)
                .Add("running VMs", limitsNow.RunningVms is { } running ? DisplayFormat.Number(running) : QuotaOptions.Default));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void PrintUser(Printer printer, UserInfo user, DateTimeOffset now) =>
        printer.Fields(
            ("Username:", user.Username),
            ("Id:", user.Id),
            ("Display name:", DisplayFormat.OrNone(user.DisplayName)),
            ("Role:", user.Role),
            ("State:", user.DisabledAt is { } disabled ? $"disabled since {DisplayFormat.Time(disabled)}" : "enabled"),
            ("Source:", user.Source),
            ("Created:", $"{DisplayFormat.Time(user.CreatedAt)} ({DisplayFormat.Age(user.CreatedAt, now)} ago)"),
            ("Quota:", DisplayFormat.Quota(user.QuotaOverride, "default")));
}
