using System.CommandLine;
using System.Net;
using System.Text.Json;
using SkillVL.Cli.Auth;
using SkillVL.Cli.Configuration;
using SkillVL.Cli.Http;

namespace SkillVL.Cli.Commands;

/// <summary>
/// Runs a command's body against the resolved server and turns every failure into a message on stderr and
/// an exit code (<see cref="ExitCodes"/>) — the one place where that translation happens.
/// </summary>
internal sealed class CommandRunner(CliContext context, GlobalOptions globals)
{
    public CliContext Context => context;

    public Func<ParseResult, CancellationToken, Task<int>> Action(
        Func<ParseResult, SkillVlClient, CancellationToken, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            try
            {
                var settings = ConnectionSettingsResolver.Resolve(globals.Read(parseResult), context.Environment);
                using var http = context.HttpClientFactory(settings);
                var refresher = settings.Session is { } session
                    ? new TokenRefresher(http, session, context.TimeProvider, context.Error)
                    : null;
                return await body(parseResult, new SkillVlClient(http, settings, refresher), cancellationToken);
            }
            catch (Exception e)
            {
                return Report(e, cancellationToken);
            }
        };

    /// <summary>
    /// For commands that find their server themselves (<c>login</c>, <c>logout</c>): the connection options as
    /// given, and the same error reporting.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> LocalAction(
        Func<ParseResult, ConnectionOverrides, CancellationToken, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, globals.Read(parseResult), cancellationToken);
            }
            catch (Exception e)
            {
                return Report(e, cancellationToken);
            }
        };

    private int Report(Exception exception, CancellationToken cancellationToken)
    {
        var error = context.Error;
        switch (exception)
        {
            case CliException e:
                error.WriteLine($"skillvl: {e.Message}");
                return e.ExitCode;

            case ServerUnreachableException e:
                error.WriteLine($"skillvl: {e.Message}");
                error.WriteLine("skillvl: is the server running? `./skillvl up` starts one on this machine; --server picks another");
                return ExitCodes.ServerUnreachable;

            case ApiProblemException e:
                return ReportProblem(e);

            case JsonException e:
                // A server of another version, or not a SkillVL server: the answer parsed but has another shape.
                error.WriteLine($"skillvl: the server's answer is not what this client expects ({e.Message}); are client and server the same version?");
                return ExitCodes.Error;

            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                error.WriteLine("skillvl: interrupted");
                return ExitCodes.Interrupted;

            default:
                // A bug in the CLI: say what it was rather than hide it behind a friendly line.
                error.WriteLine($"skillvl: unexpected error: {exception}");
                return ExitCodes.Error;
        }
    }

    private int ReportProblem(ApiProblemException e)
    {
        var error = context.Error;
        var problem = e.Problem;
        var explanation = problem.Detail ?? problem.Title ?? $"HTTP {e.StatusCode}";
        switch ((HttpStatusCode)e.StatusCode)
        {
            case HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity
                or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType:
                if (problem.Errors is { Count: > 0 } errors)
                {
                    // One line per problem, "field: message", so an editor or grep can go straight to it.
                    foreach (var (field, messages) in errors)
                    {
                        foreach (var message in messages)
                        {
                            error.WriteLine(field is "" or "$" ? message : $"{field}: {message}");
                        }
                    }
                }
                else
                {
                    error.WriteLine($"skillvl: {e.Subject}: {explanation}");
                }

                return ExitCodes.InvalidInput;

            case HttpStatusCode.NotFound:
                // The subject is what the user typed; the server's detail ("Room 'x' does not exist.") says no more,
                // unless the request named several objects and only the detail says which one is missing.
                error.WriteLine(e.SeveralObjects && problem.Detail is { Length: > 0 } missing
                    ? $"skillvl: {e.Subject}: {missing}"
                    : $"skillvl: {e.Subject} not found");
                return ExitCodes.NotFound;

            case HttpStatusCode.Conflict:
                // The server's detail names the object itself ("net-basics/web: the machine is stopped").
                error.WriteLine(problem.Detail is { Length: > 0 } conflict ? $"skillvl: {conflict}" : $"skillvl: {e.Subject}: {explanation}");
                return ExitCodes.Conflict;

            case HttpStatusCode.Unauthorized:
                error.WriteLine(
                    $"skillvl: the server refused the request (401 Unauthorized): run `skillvl login`, or check --token, ${ConnectionSettingsResolver.TokenVariable} or the config file");
                return ExitCodes.Error;

            case HttpStatusCode.Forbidden:
                error.WriteLine($"skillvl: not allowed (403): {explanation}");
                return ExitCodes.Error;

            default:
                error.WriteLine($"skillvl: {e.Subject}: the server answered {e.StatusCode}: {explanation}");
                return ExitCodes.Error;
        }
    }
}
