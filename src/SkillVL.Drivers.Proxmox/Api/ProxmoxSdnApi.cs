using System.Text.Json;
using SkillVL.Drivers.Proxmox.Api.Model;
using SkillVL.Drivers.Proxmox.Tasks;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// SDN: zones and VNets. Writes are pending until <see cref="ApplyAsync"/> (<c>PUT /cluster/sdn</c>), which commits ALL
/// pending SDN changes cluster-wide, other users' included (NOTES.md §9): callers serialize their SDN writes.
/// </summary>
public sealed class ProxmoxSdnApi(ProxmoxHttp http)
{
    public async Task<IReadOnlyList<SdnZone>> GetZonesAsync(CancellationToken cancellationToken)
    {
        var data = await http.SendAsync(PveEndpoints.SdnZones.HttpMethod, PveEndpoints.SdnZones.PathTemplate, [], null, cancellationToken).ConfigureAwait(false);
        return PveJson.Array(data).Select(e => new SdnZone(
            PveJson.String(e, "zone") ?? "", PveJson.String(e, "type") ?? "", PveJson.String(e, "peers"),
            PveJson.Long(e, "mtu"), PveJson.String(e, "state"))).ToList();
    }

    /// <param name="pending">True to see changes not yet applied (<c>state</c> new/changed/deleted).</param>
    public async Task<IReadOnlyList<SdnVnet>> GetVnetsAsync(bool pending, CancellationToken cancellationToken)
    {
        var parameters = new PveParameters().Add("pending", pending ? true : null);
        var data = await http.SendAsync(PveEndpoints.SdnVnets.HttpMethod, PveEndpoints.SdnVnets.PathTemplate, [], parameters, cancellationToken).ConfigureAwait(false);
        return PveJson.Array(data).Select(Vnet).ToList();
    }

    /// <summary>Creates a VNet in a zone with a VNI (<c>tag</c>); pending until applied.</summary>
    public async Task CreateVnetAsync(string vnet, string zone, long vni, string? alias, CancellationToken cancellationToken)
    {
        var parameters = new PveParameters().Add("vnet", vnet).Add("zone", zone).Add("tag", vni).Add("alias", alias);
        await http.SendAsync(PveEndpoints.SdnCreateVnet.HttpMethod, PveEndpoints.SdnCreateVnet.PathTemplate, [], parameters, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteVnetAsync(string vnet, CancellationToken cancellationToken) =>
        await http.SendAsync(PveEndpoints.SdnDeleteVnet.HttpMethod, PveEndpoints.SdnDeleteVnet.PathTemplate, [vnet], null, cancellationToken).ConfigureAwait(false);

    /// <summary>Applies the pending SDN configuration; returns the <c>reloadnetworkall</c> task to follow.</summary>
    public async Task<Upid> ApplyAsync(CancellationToken cancellationToken)
    {
        var data = await http.SendAsync(PveEndpoints.SdnApply.HttpMethod, PveEndpoints.SdnApply.PathTemplate, [], null, cancellationToken).ConfigureAwait(false);
        return Upid.Parse(data.GetString() ?? "");
    }

    private static SdnVnet Vnet(JsonElement e) =>
        new(PveJson.String(e, "vnet") ?? "", PveJson.String(e, "zone") ?? "", PveJson.Long(e, "tag"), PveJson.String(e, "alias"), PveJson.String(e, "state"));
}
