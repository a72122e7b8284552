using System.CommandLine;

namespace SkillVL.Testbed.Commands;

/// <summary>
/// <c>skillvl-testbed link NAME down|up</c>: cuts or restores a client's link silently (its bridge port is disabled:
/// frames vanish, eth0 stays up). Exit 0 done, 1 nothing up, 2 NAME is no client or the direction is neither.
/// </summary>
internal static class LinkCommand
{
    public static Command Create(TestbedContext context)
    {
        var name = new Argument<string>("NAME") { Description = "A client of the testbed, e.g. laptop1" };
        var direction = new Argument<string>("down|up") { Description = "down cuts the link (frames vanish both ways), up restores it" };
        direction.Validators.Add(result =>
        {
            // Not AcceptOnlyFromAmong: its message does not say which argument.
            if (result.GetValueOrDefault<string>() is not ("down" or "up") and var value)
            {
                result.AddError($"down|up: '{value}' is neither down nor up");
            }
        });
        var state = StateOption.Create();
        var command = new Command("link", "Cut (down) or restore (up) a client's link, with or without NAT: frames vanish, its eth0 stays up")
        {
            name, direction, state,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var client = parseResult.GetValue(name)!;
            var up = parseResult.GetValue(direction) == "up";
            var link = await new TestbedController(context.Out, context.Time).SetLinkAsync(parseResult.GetValue(state)!, client, up, cancellationToken);
            await context.Out.WriteLineAsync($"{client}: link {(link.Down ? "down" : "up")} (bridge port {link.BridgePort} {link.PortState ?? "MISSING"})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
