namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>One method of the PVE API as the schema names it: <c>POST /nodes/{node}/qemu/{vmid}/clone</c>.</summary>
public sealed record PveEndpoint(string Method, string PathTemplate)
{
    public HttpMethod HttpMethod => new(Method);

    public override string ToString() => $"{Method} {PathTemplate}";
}
