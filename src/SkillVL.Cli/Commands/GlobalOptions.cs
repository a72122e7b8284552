using System.CommandLine;
using SkillVL.Cli.Configuration;

namespace SkillVL.Cli.Commands;

/// <summary>Connection options accepted by every command, before or after the verb.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Server { get; } = new("--server")
    {
        Description = "Server URL, e.g. http://127.0.0.1:8080 (else $SKILLVL_SERVER, else the config file)",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = "Bearer token (else $SKILLVL_TOKEN, else the config file, which `skillvl login` writes)",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<string> Config { get; } = new("--config")
    {
        Description = "Config file {\"server\":...,\"token\":...} (else $SKILLVL_CONFIG, else "
            + "$XDG_CONFIG_HOME/skillvl/config.json or ~/.config/skillvl/config.json, else /etc/skillvl/cli.json)",
        HelpName = "FILE",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Config);
    }

    public ConnectionOverrides Read(ParseResult parseResult) => new(
        parseResult.GetValue(Server),
        parseResult.GetValue(Token),
        parseResult.GetValue(Config));
}
