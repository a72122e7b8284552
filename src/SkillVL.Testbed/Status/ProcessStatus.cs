namespace SkillVL.Testbed.Status;

/// <summary>A process the testbed started: pid, whether that same process still runs, and its log file.</summary>
public sealed record ProcessStatus(int Pid, bool Alive, string Log);
