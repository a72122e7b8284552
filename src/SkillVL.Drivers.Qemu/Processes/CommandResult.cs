namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>How an external tool ended.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
