using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Placements;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl node depart NODE --in 2m</c> (ADR 0063): a client node's owner (or an admin) says the computer leaves soon,
/// and the platform moves its machines back to a server before it goes; <c>--cancel</c> withdraws it.
/// </summary>
internal static class NodeDepartCommand
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("NODE") { Description = "Your client node's name (skillvl node list)" };
        var within = new Option<TimeSpan?>("--in")
        {
            Description = "How long until it leaves (30s, 5m, 1h or hh:mm:ss; at most a day)",
            HelpName = "DURATION",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (DurationParser.TryParse(text, out var duration))
                {
                    return duration;
                }

                result.AddError($"--in: '{text}' is not a duration; {DurationParser.Expected}");
                return null;
            },
        };
        var cancel = new Option<bool>("--cancel") { Description = "Withdraw the announcement: the node stays" };
        var command = new Command("depart", "Announce that your computer leaves soon: its machines go back to a server before it goes")
        {
            name, within, cancel,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var nodeName = parseResult.GetRequiredValue(name);
            var inTime = parseResult.GetValue(within);
            if (parseResult.GetValue(cancel) == inTime is not null)
            {
                throw new CliException("give --in DURATION to announce the departure, or --cancel to withdraw it (one of them)", ExitCodes.Usage);
            }

            var printer = new Printer(runner.Context);
            if (inTime is null)
            {
                await client.DeleteAsync(ApiPaths.NodeDeparture(nodeName), $"node '{nodeName}'", cancellationToken);
                printer.Line($"node {nodeName}: departure withdrawn");
                return ExitCodes.Ok;
            }

            if (inTime.Value < TimeSpan.FromSeconds(1) || inTime.Value > TimeSpan.FromSeconds(NodeDepartureRequest.MaxSeconds))
            {
                throw new CliException("--in: from 1s to 24h", ExitCodes.Usage);
            }

            var answer = ApiJson.Read<NodeDepartureInfo>(await client.SendJsonAsync(
                HttpMethod.Post, ApiPaths.NodeDeparture(nodeName), new NodeDepartureRequest((int)Math.Ceiling(inTime.Value.TotalSeconds)),
                $"node '{nodeName}'", cancellationToken));
            printer.Line($"node {answer.Node} leaves at {answer.DepartsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: its machines go back to a server " +
                "(skillvl vm list ROOM shows where they run)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
