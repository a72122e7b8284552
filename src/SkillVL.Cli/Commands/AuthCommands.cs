using System.CommandLine;
using System.Net;
using SkillVL.Cli.Auth;
using SkillVL.Cli.Configuration;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl login|logout|whoami</c>.</summary>
internal static class AuthCommands
{
    /// <summary>RFC 8628 §3.5: after "slow_down" the interval grows by this much for every later poll.</summary>
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    public static IEnumerable<Command> Create(CommandRunner runner) => [Login(runner), Logout(runner), WhoAmI(runner)];

    private static Command Login(CommandRunner runner)
    {
        var command = new Command(
            "login",
            "Log in and save the credentials in ~/.config/skillvl/config.json (or --config): by default at the server's "
            + "identity provider (open the URL shown, enter the code); with --token TOKEN (- reads stdin) a personal API token");
        command.SetAction(runner.LocalAction(async (parseResult, overrides, cancellationToken) =>
        {
            var context = runner.Context;
            var server = ConnectionSettingsResolver.ResolveServerForLogin(overrides, context.Environment);
            var path = ConnectionSettingsResolver.UserConfigPath(overrides.ConfigPath, context.Environment);
            var settings = new ConnectionSettings(server, Token: null);
            using var http = context.HttpClientFactory(settings);

            string token;
            SavedOidcLogin? oidc;
            MeInfo me;
            if (overrides.Token is { } given)
            {
                token = given.Trim() == "-" ? await ReadTokenFromStdinAsync(context, cancellationToken) : given.Trim();
                me = await CheckAsync(http, settings with { Token = token }, "the token", cancellationToken);
                oidc = null;
            }
            else
            {
                (token, oidc) = await DeviceLoginAsync(context, http, settings, cancellationToken);
                me = await CheckAsync(http, settings with { Token = token }, "the login", cancellationToken);
            }

            ConfigFileWriter.SaveLogin(path, server, token, oidc);
            context.Out.WriteLine($"logged in to {server} as {me.User.Username} ({me.User.Role})");
            context.Error.WriteLine($"credentials saved in {path}");
            if (context.Environment.GetVariable(ConnectionSettingsResolver.TokenVariable) is { Length: > 0 })
            {
                context.Error.WriteLine(
                    $"note: ${ConnectionSettingsResolver.TokenVariable} is set and is used instead of the saved login; unset it to use the login");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Logout(CommandRunner runner)
    {
        var command = new Command("logout", "Remove the credentials `skillvl login` saved (the server stays configured)");
        command.SetAction(runner.LocalAction((parseResult, overrides, cancellationToken) =>
        {
            var context = runner.Context;
            var path = ConnectionSettingsResolver.UserConfigPath(overrides.ConfigPath, context.Environment);
            context.Out.WriteLine(ConfigFileWriter.RemoveLogin(path)
                ? $"logged out: removed the saved credentials from {path}"
                : $"not logged in: no credentials saved in {path}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static Command WhoAmI(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("whoami", "Show who the server takes you for: user, role, how you authenticated, and your quota use") { output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Me, "you", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var me = ApiJson.Read<MeInfo>(answer);
            var user = me.User;
            var scopes = me.Scopes is { Count: > 0 } list ? $" (scopes: {string.Join(", ", list)})" : "";
            printer.Fields(
                ("User:", user.DisplayName is { Length: > 0 } display ? $"{user.Username} ({display})" : user.Username),
                ("Role:", user.Role),
                ("Authenticated by:", me.AuthenticatedBy + scopes),
                ("Source:", user.Source),
                ("Server:", client.Server.ToString()));
            printer.Line("");
            printer.Table(QuotaTable(me.Quota));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Use against limits, one row per resource.</summary>
    public static TableView QuotaTable(QuotaUsage usage)
    {
        var limits = usage.Limits ?? new QuotaLimits();
        return new TableView("RESOURCE", "USED", "LIMIT")
            .Add("cpus", DisplayFormat.Number(usage.Cpus), DisplayFormat.Limit(limits.Cpus))
            .Add("memory", DisplayFormat.Bytes(usage.MemoryBytes), DisplayFormat.BytesLimit(limits.MemoryBytes))
            .Add("disk", DisplayFormat.Bytes(usage.DiskBytes), DisplayFormat.BytesLimit(limits.DiskBytes))
            .Add("running VMs", DisplayFormat.Number(usage.RunningVms), DisplayFormat.Limit(limits.RunningVms));
    }

    private static async Task<string> ReadTokenFromStdinAsync(CliContext context, CancellationToken cancellationToken)
    {
        var line = await context.In.ReadLineAsync(cancellationToken);
        return string.IsNullOrWhiteSpace(line)
            ? throw new CliException("--token -: stdin holds no token", ExitCodes.InvalidInput)
            : line.Trim();
    }

    /// <summary>GET /me with the new credentials, so only credentials that work are saved.</summary>
    private static async Task<MeInfo> CheckAsync(HttpClient http, ConnectionSettings settings, string what, CancellationToken cancellationToken)
    {
        try
        {
            return ApiJson.Read<MeInfo>(await new SkillVlClient(http, settings).GetAsync(ApiPaths.Me, what, cancellationToken));
        }
        catch (ApiProblemException e) when (e.StatusCode == (int)HttpStatusCode.Unauthorized)
        {
            throw new CliException(
                $"the server at {settings.Server} refused {what} (401 Unauthorized): nothing was saved; "
                + "is it a token for this server that has not expired or been revoked?",
                ExitCodes.Error);
        }
    }

    /// <summary>RFC 8628: ask for a code, show it, and poll the token endpoint until the user has confirmed it.</summary>
    private static async Task<(string Token, SavedOidcLogin Oidc)> DeviceLoginAsync(
        CliContext context, HttpClient http, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        AuthConfig config;
        try
        {
            config = ApiJson.Read<AuthConfig>(
                await new SkillVlClient(http, settings).GetAsync(ApiPaths.AuthConfig, "the server's login configuration", cancellationToken));
        }
        catch (ApiProblemException e) when (e.StatusCode == (int)HttpStatusCode.NotFound)
        {
            throw new CliException(
                $"the server at {settings.Server} offers no login ({ApiPaths.AuthConfig} not found); pass --token instead",
                ExitCodes.Error);
        }

        var oauth = new OAuthClient(http);
        var endpoints = await oauth.DiscoverAsync(config.Issuer, cancellationToken);
        if (endpoints.DeviceAuthorizationEndpoint is not { } deviceEndpoint)
        {
            throw new CliException(
                $"the identity provider {config.Issuer} does not offer the device-code flow (its discovery document names no "
                + "device_authorization_endpoint); log in with a personal API token: skillvl login --token TOKEN",
                ExitCodes.Error);
        }

        var scope = string.Join(' ', config.Scopes ?? []);
        var device = await oauth.AuthorizeDeviceAsync(deviceEndpoint, config.CliClientId, scope, cancellationToken);
        await context.Error.WriteLineAsync(
            $"Open {device.VerificationUriComplete ?? device.VerificationUri} and enter code {device.UserCode}".AsMemory(), cancellationToken);
        await context.Error.WriteLineAsync("waiting for the login to be confirmed (Ctrl+C to give up)...".AsMemory(), cancellationToken);

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = OAuthClient.DeviceCodeGrant,
            ["device_code"] = device.DeviceCode,
            ["client_id"] = config.CliClientId,
        };
        var time = context.TimeProvider;
        var started = time.GetTimestamp();
        var interval = device.Interval;
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken);
            if (time.GetElapsedTime(started) >= device.ExpiresIn)
            {
                throw CodeExpired();
            }

            var answer = await oauth.RequestTokenAsync(endpoints.TokenEndpoint, form, cancellationToken);
            if (answer.IsSuccess)
            {
                var expiresAt = answer.ExpiresIn is { } lifetime ? time.GetUtcNow() + lifetime : (DateTimeOffset?)null;
                var oidc = new SavedOidcLogin(
                    config.Issuer, endpoints.TokenEndpoint.ToString(), config.CliClientId, answer.RefreshToken, expiresAt);
                return (answer.AccessToken!, oidc);
            }

            switch (answer.Error)
            {
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval += SlowDownStep;
                    continue;
                case "expired_token":
                    throw CodeExpired();
                case "access_denied":
                    throw new CliException("the login was denied at the identity provider", ExitCodes.Error);
                default:
                    throw new CliException($"login failed: the identity provider answered {answer.ErrorText}", ExitCodes.Error);
            }
        }
    }

    private static CliException CodeExpired() =>
        new("the login code expired before it was confirmed: run skillvl login again", ExitCodes.Error);
}
