using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.CommandLine;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// How our interfaces are named and tagged. Names are "svb"/"svx"/"svt"/"svr"/"svh" + a 12-hex platform id: 15 characters,
/// the Linux limit. The alias "skillvl:&lt;InstanceId&gt;" is what makes an interface ours; the name prefix
/// alone is not enough, since another SkillVL instance (or a test) on the host uses the same prefixes.
/// </summary>
public static class InterfaceNames
{
    public const string BridgePrefix = "svb";

    /// <summary>Prefix of a network's VXLAN device (its tunnel port on the network's bridge).</summary>
    public const string VxlanPrefix = "svx";

    /// <summary>Prefix of a client node's relay port on a network's bridge (ADR 0019).</summary>
    public const string RelayClientPrefix = "svr";

    /// <summary>Prefix of a hub's port for one relayed client on a network's bridge (ADR 0019).</summary>
    public const string RelayHubPrefix = "svh";

    public static string Bridge(string networkId) => BridgePrefix + CheckedNetworkId(networkId);

    public static string Vxlan(string networkId) => VxlanPrefix + CheckedNetworkId(networkId);

    /// <summary>A client node's one relay port of the network (it joins one hub per network).</summary>
    public static string RelayClientTap(string networkId) => RelayClientPrefix + CheckedNetworkId(networkId);

    /// <summary>
    /// The hub's port for <paramref name="client"/> on the network: "svh" + 12 hex of SHA-256(network/client), since
    /// a network id and a node name do not fit in 15 characters together; a collision needs 2^24 clients per network.
    /// </summary>
    public static string RelayHubTap(string networkId, string client) =>
        RelayHubPrefix + Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CheckedNetworkId(networkId) + "/" + client)))[..12];

    public static string Tap(string nicId) => QemuCommandLineBuilder.TapName(nicId);

    public static string Alias(string instanceId) => "skillvl:" + instanceId;

    private static string CheckedNetworkId(string networkId) =>
        ShortId.IsValid(networkId)
            ? networkId
            : throw new ArgumentException($"Network id '{networkId}' is not a 12-hex platform id.", nameof(networkId));

    /// <summary>The platform id in a name with the given prefix, or null when the name is not of that form.</summary>
    public static string? IdFrom(string interfaceName, string prefix) =>
        interfaceName.StartsWith(prefix, StringComparison.Ordinal) && ShortId.IsValid(interfaceName[prefix.Length..])
            ? interfaceName[prefix.Length..]
            : null;
}
