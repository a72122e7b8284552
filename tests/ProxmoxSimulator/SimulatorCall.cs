namespace SkillVL.ProxmoxSimulator;

/// <summary>A request the schema allowed: the matched method, its parameters (last value wins), the caller's token.</summary>
public sealed record SimulatorCall(SchemaMatch Match, IReadOnlyDictionary<string, string> Parameters, SimulatedToken Token)
{
    public string Path(string name) => Match.PathValues[name];

    public long VmId => long.Parse(Match.PathValues["vmid"], System.Globalization.CultureInfo.InvariantCulture);

    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);
}
