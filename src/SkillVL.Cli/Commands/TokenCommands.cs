using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl token create|list|revoke</c>: the caller's personal API tokens.</summary>
internal static class TokenCommands
{
    public static Command Create(CommandRunner runner)
    {
        var token = new Command("token", "Your personal API tokens, for scripts and CI (skillvl login --token, or SKILLVL_TOKEN)");
        token.Subcommands.Add(CreateToken(runner));
        token.Subcommands.Add(List(runner));
        token.Subcommands.Add(Revoke(runner));
        return token;
    }

    private static Command CreateToken(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "What the token is for, e.g. ci" };
        var scope = new Option<string[]>("--scope")
        {
            Description = "read (GET only) or write (all your role allows); repeat for both; default both",
            HelpName = string.Join("|", ApiTokenScopes.All),
        };
        scope.AcceptOnlyFromAmong([.. ApiTokenScopes.All]);
        var expires = new Option<int?>("--expires-in-days")
        {
            Description = "Days until the token expires; default the longest the server allows (its maximum, 90 days unless configured; "
                + "a token made with an API token never outlives that token)",
            HelpName = "N",
        };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "create",
            "Create a token and print its secret on stdout; it is shown only this once")
        {
            name, scope, expires, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var tokenName = parseResult.GetRequiredValue(name);
            var scopes = parseResult.GetValue(scope) is { Length: > 0 } given ? given.Distinct().ToList() : null;
            var request = new CreateApiTokenRequest(tokenName, scopes, parseResult.GetValue(expires));
            var answer = await client.SendJsonAsync(HttpMethod.Post, ApiPaths.Tokens, request, $"token '{tokenName}'", cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            // The secret alone on stdout, for `SKILLVL_TOKEN=$(skillvl token create ci)`; the rest on stderr.
            var created = ApiJson.Read<CreatedApiToken>(answer);
            runner.Context.Out.WriteLine(created.Token);
            var expiry = created.Info.ExpiresAt is { } at ? $"expires {DisplayFormat.Time(at)}" : "does not expire";
            runner.Context.Error.WriteLine(
                $"token {created.Info.Name} (id {created.Info.Id}, scopes {string.Join(", ", created.Info.Scopes)}) created; "
                + $"it {expiry}; the secret above is shown only this once");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List your tokens (never their secrets)") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Tokens, "tokens", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED");
            foreach (var token in ApiJson.Read<List<ApiTokenInfo>>(answer))
            {
                table.Add(
                    token.Id,
                    token.Name,
                    string.Join(",", token.Scopes),
                    DisplayFormat.Time(token.CreatedAt),
                    token.ExpiresAt is { } expires ? DisplayFormat.Time(expires) : "never",
                    token.LastUsedAt is { } used ? DisplayFormat.Time(used) : "never");
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The token's id (skillvl token list)" };
        var command = new Command("revoke", "Revoke a token and every token made with it: they stop working at once") { id };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var tokenId = parseResult.GetRequiredValue(id);
            await client.DeleteAsync(ApiPaths.Token(tokenId), $"token '{tokenId}'", cancellationToken);
            runner.Context.Out.WriteLine($"token {tokenId} revoked");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
