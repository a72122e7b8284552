using System.Globalization;

namespace SkillVL.Testbed.Linux;

/// <summary>The fields of /proc/PID/stat the testbed needs (proc(5)).</summary>
internal sealed record ProcessStat(int Pid, char State, int SessionId, ulong StartTime)
{
    /// <summary>A zombie or dead task has exited; only its parent's wait is missing.</summary>
    public bool HasExited => State is 'Z' or 'X' or 'x';

    /// <summary>The process <paramref name="pid"/> now, or null when there is none.</summary>
    public static ProcessStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "PID (COMM) S PPID PGRP SESSION …": COMM may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state), fields[3] field 6 (session), fields[19] field 22 (starttime).
        if (fields.Length < 20
            || !int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var session)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return new ProcessStat(pid, fields[0][0], session, startTime);
    }

    /// <summary>argv of <paramref name="pid"/>, or empty when it is gone (or a kernel thread).</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
