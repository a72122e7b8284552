namespace SkillVL.LinkEmulator.Host;

/// <summary>Exit codes of <c>skillvl-linkem</c>; part of its contract: never renumber, only add.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped by SIGTERM or SIGINT after relaying (a clean stop), or --help.</summary>
    public const int Ok = 0;

    /// <summary>A tap could not be opened, or one went away while relaying.</summary>
    public const int Error = 1;

    /// <summary>The command line is wrong: unknown option, missing --tap-a, malformed --rate; the message names the option.</summary>
    public const int Usage = 2;
}
