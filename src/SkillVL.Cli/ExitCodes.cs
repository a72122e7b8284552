namespace SkillVL.Cli;

/// <summary>
/// The process exit codes of <c>skillvl</c>, so scripts can tell failures apart. They are part of the CLI's
/// contract: never renumber one, only add.
/// </summary>
/// <remarks>
/// <c>vm exec</c> is the exception: it exits with the guest program's own exit code, so a guest exit code
/// of 3 and "not found" look alike there; the CLI's own errors are still written to stderr with a
/// <c>skillvl:</c> prefix so a human can tell which one it was.
/// </remarks>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (for a followed task: the task succeeded).</summary>
    public const int Ok = 0;

    /// <summary>
    /// Anything not covered below: the server answered 5xx, refused the token (401) or the role (403), a wait
    /// timed out, the login session expired and could not be renewed, a device login was denied or expired.
    /// </summary>
    public const int Error = 1;

    /// <summary>The command line is wrong or incomplete: unknown option, bad ROOM/VM, bad duration, no server configured.</summary>
    public const int Usage = 2;

    /// <summary>
    /// The room, machine, task, user, token or course does not exist, or is not the caller's to see (HTTP 404:
    /// the server does not tell the two apart).
    /// </summary>
    public const int NotFound = 3;

    /// <summary>
    /// The input was rejected: a room document that does not parse or does not validate (HTTP 400), a request
    /// that would exceed a quota (HTTP 422; the message names the quota), or a quota value on the command line
    /// that is not a count or size (<c>--memory 4XB</c>).
    /// </summary>
    public const int InvalidInput = 4;

    /// <summary>The server could not be reached (connection refused, DNS, no answer in time).</summary>
    public const int ServerUnreachable = 5;

    /// <summary>A followed task ended in the "failed" state.</summary>
    public const int TaskFailed = 6;

    /// <summary>The request conflicts with the current state (HTTP 409): room exists, machine not running, user exists.</summary>
    public const int Conflict = 7;

    /// <summary><c>room check</c>: the checks ran (or, with <c>--last</c>, last ran) and at least one failed.</summary>
    public const int ChecksFailed = 8;

    /// <summary>Interrupted by Ctrl+C / SIGTERM; 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;
}
