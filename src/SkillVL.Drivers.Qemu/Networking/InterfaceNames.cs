using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.CommandLine;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// How our interfaces are named and tagged. Names are "svb"/"svt" + a 12-hex platform id: 15 characters,
/// the Linux limit. The alias "skillvl:&lt;InstanceId&gt;" is what makes an interface ours; the name prefix
/// alone is not enough, since another SkillVL instance (or a test) on the host uses the same prefixes.
/// </summary>
public static class InterfaceNames
{
    public const string BridgePrefix = "svb";

    public static string Bridge(string networkId) =>
        ShortId.IsValid(networkId)
            ? BridgePrefix + networkId
            : throw new ArgumentException($"Network id '{networkId}' is not a 12-hex platform id.", nameof(networkId));

    public static string Tap(string nicId) => QemuCommandLineBuilder.TapName(nicId);

    public static string Alias(string instanceId) => "skillvl:" + instanceId;

    /// <summary>The platform id in a name with the given prefix, or null when the name is not of that form.</summary>
    public static string? IdFrom(string interfaceName, string prefix) =>
        interfaceName.StartsWith(prefix, StringComparison.Ordinal) && ShortId.IsValid(interfaceName[prefix.Length..])
            ? interfaceName[prefix.Length..]
            : null;
}
