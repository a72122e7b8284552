namespace SkillVL.Core.Compute;

/// <summary>
/// What a compute driver can do. Callers check these instead of catching NotImplementedException
/// (Nova's driver capabilities).
/// </summary>
public sealed record DriverCapabilities(
    bool LinkedClones,
    bool GuestAgent,
    bool VncConsole,
    bool SerialConsole,
    bool LiveMigration);
