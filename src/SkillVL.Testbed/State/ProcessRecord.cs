namespace SkillVL.Testbed.State;

/// <summary>
/// A process the testbed started: its pid and its start time in clock ticks after boot (field 22 of
/// /proc/PID/stat). The pair identifies the process: a pid reused by an unrelated process has another start time,
/// and such a process is never signalled.
/// </summary>
public sealed record ProcessRecord(int Pid, ulong StartTime, IReadOnlyList<string> Command, string Log);
