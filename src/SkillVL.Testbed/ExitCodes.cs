namespace SkillVL.Testbed;

/// <summary>Exit codes of <c>skillvl-testbed</c>; part of its contract: never renumber, only add.</summary>
public static class ExitCodes
{
    /// <summary>Done (for <c>down</c>: also when nothing was up; for <c>status</c>: every recorded object is present and alive).</summary>
    public const int Ok = 0;

    /// <summary>
    /// The host refused or a step failed (not root, an <c>ip</c> command failed, the Server refused the admin token,
    /// an agent or emulator died at start); <c>status</c>: something recorded is missing or dead.
    /// </summary>
    public const int Error = 1;

    /// <summary>The command line is wrong (<c>--nodes 0</c>, <c>--bandwidth fast</c>, a bad client name); the message names the option. Nothing was created.</summary>
    public const int Usage = 2;

    /// <summary>A testbed is already up in this state directory, or its names/addresses are taken on this host. Nothing was created.</summary>
    public const int Conflict = 3;

    /// <summary>Interrupted by SIGINT/SIGTERM (128 + SIGINT); <c>up</c> removed what it had created.</summary>
    public const int Interrupted = 130;
}
