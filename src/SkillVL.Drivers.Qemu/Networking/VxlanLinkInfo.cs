namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>A VXLAN device's parameters as <c>ip -j -d link show</c> reports them (linkinfo.info_data).</summary>
/// <param name="Vni">info_data.id.</param>
/// <param name="Local">info_data.local: the source (VTEP) address, or null when none was given.</param>
/// <param name="Port">info_data.port: the UDP destination port.</param>
/// <param name="Learning">info_data.learning: whether the device learns remote MACs from received packets.</param>
public sealed record VxlanLinkInfo(int Vni, string? Local, int Port, bool Learning);
