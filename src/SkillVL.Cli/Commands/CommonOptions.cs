using System.CommandLine;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;

namespace SkillVL.Cli.Commands;

/// <summary>Options several verbs share; a new instance per command, as System.CommandLine wants.</summary>
internal static class CommonOptions
{
    public static Option<OutputFormat> Output(params OutputFormat[] formats)
    {
        var names = formats.Select(f => f.ToString().ToLowerInvariant()).ToArray();
        var option = new Option<OutputFormat>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", names)} (json: the server's JSON, nothing else on stdout)",
            HelpName = string.Join("|", names),
            DefaultValueFactory = _ => OutputFormat.Table,
        };
        option.AcceptOnlyFromAmong(names);
        return option;
    }

    public static Option<bool> NoWait() => new("--no-wait")
    {
        Description = "Do not follow the task; print its id on stdout and return",
    };

    public static Option<TimeSpan?> Duration(string description, TimeSpan? defaultValue)
    {
        var option = new Option<TimeSpan?>("--timeout")
        {
            Description = description,
            HelpName = "DURATION",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (DurationParser.TryParse(text, out var duration))
                {
                    return duration;
                }

                result.AddError($"--timeout: '{text}' is not a duration; {DurationParser.Expected}");
                return null;
            },
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    public static Option<TimeSpan?> WaitTimeout() =>
        Duration($"How long to follow the task (30s, 5m, 1h or hh:mm:ss); default {DurationParser.Format(TaskFollower.DefaultTimeout)}", TaskFollower.DefaultTimeout);

    public static Argument<MachineRef> Machine()
    {
        var argument = new Argument<MachineRef>("ROOM/VM")
        {
            Description = $"The machine, as {MachineRef.Expected}",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (MachineRef.TryParse(text, out var machine, out var error))
                {
                    return machine;
                }

                result.AddError(error);
                return null;
            },
        };
        return argument;
    }
}
