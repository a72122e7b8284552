namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>One network interface as <c>ip -j -d link show</c> reports it.</summary>
/// <param name="Name">Interface name.</param>
/// <param name="Alias">ifalias, or null (we tag ours with "skillvl:&lt;InstanceId&gt;").</param>
/// <param name="Master">The bridge it is a port of, or null.</param>
/// <param name="Mtu">MTU in bytes.</param>
/// <param name="Kind">linkinfo.info_kind ("bridge", "tun", "veth", ...), or null for a physical device.</param>
/// <param name="IsUp">Administratively up.</param>
/// <param name="Vxlan">The tunnel parameters when <paramref name="Kind"/> is "vxlan", else null.</param>
public sealed record LinkInfo(string Name, string? Alias, string? Master, int Mtu, string? Kind, bool IsUp, VxlanLinkInfo? Vxlan = null);
