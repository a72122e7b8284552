using System.Globalization;
using SkillVL.Core.Rooms;

namespace SkillVL.Core.Checks;

/// <summary>
/// Judges what the guest agent returned for a check (ADR 0042). The detail carries only the check's own output, cut to
/// an excerpt, so a stored or shown result holds nothing the student could not see by running the line themselves.
/// </summary>
public static class CheckJudge
{
    /// <summary>Characters of a detail: a line or two on a page, and a bounded row in the database.</summary>
    public const int MaxDetailLength = 400;

    /// <summary>Characters of output quoted in a detail; its end, where an error message usually is.</summary>
    public const int MaxExcerptLength = 200;

    public static CheckVerdict Judge(CheckDefinition check, string? target, int exitCode, string stdout, string stderr, bool timedOut, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (check.Run is null)
        {
            return timedOut || exitCode != 0
                ? Verdict(false, $"{check.Machine} got no answer from {target} ({CheckCommand.PingAttempts.ToString(CultureInfo.InvariantCulture)} pings)")
                : Verdict(true, $"{check.Machine} reaches {target}");
        }

        if (timedOut)
        {
            return Verdict(false, $"did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" + Excerpt(stdout, stderr));
        }

        var expectedExit = check.Expect?.Exit ?? 0;
        if (exitCode != expectedExit)
        {
            return Verdict(false, $"exit status {Number(exitCode)}, expected {Number(expectedExit)}" + Excerpt(stdout, stderr));
        }

        if (check.Expect?.Output is { } wanted)
        {
            return stdout.Contains(wanted, StringComparison.Ordinal)
                ? Verdict(true, $"exit status {Number(exitCode)}; the output contains '{wanted}'")
                : Verdict(false, $"the output does not contain '{wanted}'" + Excerpt(stdout, stderr));
        }

        return Verdict(true, $"exit status {Number(exitCode)}");
    }

    /// <summary>A check that could not run (machine stopped, checked out, guest agent silent): failed, with the reason.</summary>
    public static CheckVerdict CouldNotRun(string reason) => Verdict(false, reason);

    private static CheckVerdict Verdict(bool passed, string detail) =>
        new(passed, detail.Length <= MaxDetailLength ? detail : detail[..(MaxDetailLength - 1)] + "…");

    private static string Excerpt(string stdout, string stderr)
    {
        var text = (stdout.Trim() + "\n" + stderr.Trim()).Trim();
        if (text.Length == 0)
        {
            return "";
        }

        var tail = text.Length <= MaxExcerptLength ? text : "…" + text[^MaxExcerptLength..];
        return "; output: " + tail.ReplaceLineEndings(" ⏎ ");
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
