using System.CommandLine;
using SkillVL.Testbed.Planning;

namespace SkillVL.Testbed.Commands;

/// <summary>Options several commands share.</summary>
internal static class StateOption
{
    public static Option<string> Create() => new("--state")
    {
        Description = "State directory: testbed.json, node data and logs",
        HelpName = "DIR",
        DefaultValueFactory = _ => UpRequest.DefaultStateDirectory,
    };

    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o") { Description = "table or json", HelpName = "FORMAT", DefaultValueFactory = _ => "table" };
        option.Validators.Add(result =>
        {
            // Not AcceptOnlyFromAmong: its message does not name the option.
            if (result.GetValueOrDefault<string>() is not ("table" or "json") and var value)
            {
                result.AddError($"--output: '{value}' is not a format; table or json");
            }
        });
        return option;
    }
}
