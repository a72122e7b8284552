namespace SkillVL.Core.Compute;

public enum StopMode
{
    /// <summary>ACPI power button, then a hard stop when the guest has not shut down within the timeout.</summary>
    Graceful,

    /// <summary>Pull the plug.</summary>
    Hard,
}
