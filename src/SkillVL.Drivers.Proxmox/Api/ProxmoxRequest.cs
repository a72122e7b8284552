namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// One request as the client sent it: the schema's path template (<c>/nodes/{node}/qemu/{vmid}/clone</c>), the concrete
/// path and the parameters in wire form. The schema check (tests) reads these; nothing here is ever logged with values.
/// </summary>
public sealed record ProxmoxRequest(string Method, string PathTemplate, string Path, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public override string ToString() => $"{Method} {Path}";
}
