namespace SkillVL.Core.Rooms;

/// <summary>What validation needs to know about the world.</summary>
/// <param name="TemplateNames">Templates that exist.</param>
/// <param name="MaxCpusPerMachine">CPUs of the largest node; a machine asking more cannot be placed.</param>
/// <param name="MaxMemoryBytesPerMachine">RAM of the largest node.</param>
/// <param name="UnusableTemplates">Templates that exist but no machine may be made from, by name, with the reason
/// (issue 11: a disk stored by an older version that names a host file); null: none.</param>
/// <param name="Limits">Counts and text lengths; null: <see cref="RoomLimits.Default"/>.</param>
public sealed record RoomValidationContext(
    IReadOnlySet<string> TemplateNames,
    int MaxCpusPerMachine,
    long MaxMemoryBytesPerMachine,
    IReadOnlyDictionary<string, string>? UnusableTemplates = null,
    RoomLimits? Limits = null);
