using SkillVL.Drivers.Proxmox.Api;
using SkillVL.Drivers.Proxmox.Api.Model;

namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>
/// Read-only readiness check of a cluster for SkillVL (<c>skillvl cluster check</c>): PVE version, nodes, the token's
/// privileges against <see cref="RequiredPrivileges"/>, a VXLAN SDN zone, a storage for VM images, templates. It only
/// sends GETs; a failure to connect, a wrong token or a wrong fingerprint is thrown (a <see cref="ProxmoxException"/>
/// naming the cluster), not reported as a finding: nothing else can be checked then.
/// </summary>
public sealed class ClusterCheck(ProxmoxClient client)
{
    /// <summary>PVE 8 is the oldest release with the SDN and API-token features used; older ones are refused.</summary>
    public const int OldestMajor = 8;

    public async Task<ClusterCheckReport> RunAsync(ClusterCheckOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var items = new List<CheckItem>();
        var version = await client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        items.Add(version.Major >= OldestMajor
            ? new CheckItem("version", version.Major >= 9 ? CheckState.Ok : CheckState.Warning, $"pve-manager {version.Version} (release {version.Release}){(version.Major >= 9 ? "" : "; 9.x is what the schema check covers")}")
            : new CheckItem("version", CheckState.Missing, $"pve-manager {version.Version}: PVE {OldestMajor}.0 or later is required"));

        items.AddRange(await PrivilegesAsync(version.Major, options, cancellationToken).ConfigureAwait(false));
        // /cluster/status needs Sys.Audit on /; without it the missing privilege is already reported above.
        items.Add(items.Any(i => i.Area == "privileges /" && i.State == CheckState.Ok)
            ? await NodesAsync(cancellationToken).ConfigureAwait(false)
            : new CheckItem("nodes", CheckState.Warning, "not checked: reading the cluster's nodes needs Sys.Audit on /"));

        items.Add(Zone(await client.Sdn.GetZonesAsync(cancellationToken).ConfigureAwait(false), options.Zone));
        items.Add(Storage(await client.GetStorageAsync(cancellationToken).ConfigureAwait(false), options.Storage));
        items.AddRange(Templates(await client.GetTemplatesAsync(cancellationToken).ConfigureAwait(false), options.Templates ?? []));
        return new ClusterCheckReport(client.Http.Cluster.Name, items);
    }

    private async Task<List<CheckItem>> PrivilegesAsync(int major, ClusterCheckOptions options, CancellationToken cancellationToken)
    {
        var items = new List<CheckItem>();
        foreach (var (path, required) in RequiredPrivileges.For(major, options.Zone, options.Storage))
        {
            var held = await client.GetPrivilegesAsync(path, cancellationToken).ConfigureAwait(false);
            var missing = required.Where(p => !held.Contains(p)).ToList();
            items.Add(missing.Count == 0
                ? new CheckItem($"privileges {path}", CheckState.Ok, string.Join(", ", required))
                : new CheckItem($"privileges {path}", CheckState.Missing, "missing " + string.Join(", ", missing)));
        }

        return items;
    }

    private async Task<CheckItem> NodesAsync(CancellationToken cancellationToken)
    {
        var status = await client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        var offline = status.Members.Where(m => !m.Online).Select(m => m.Name).ToList();
        var online = status.Members.Where(m => m.Online).Select(m => m.Name).ToList();
        var detail = $"{online.Count} online ({string.Join(", ", online)})" + (offline.Count > 0 ? $"; offline: {string.Join(", ", offline)}" : "");
        if (!status.Quorate)
        {
            return new CheckItem("nodes", CheckState.Missing, detail + "; the cluster has no quorum");
        }

        return new CheckItem("nodes", online.Count == 0 ? CheckState.Missing : offline.Count > 0 ? CheckState.Warning : CheckState.Ok, detail);
    }

    private static CheckItem Zone(IReadOnlyList<SdnZone> zones, string? wanted)
    {
        var vxlan = zones.Where(z => z.Type == "vxlan").Select(z => z.Zone).ToList();
        if (wanted is not null)
        {
            var zone = zones.FirstOrDefault(z => z.Zone == wanted);
            return zone switch
            {
                null => new CheckItem("sdn", CheckState.Missing, $"zone '{wanted}' not found (or not visible to the token); VXLAN zones: {List(vxlan)}"),
                { Type: not "vxlan" } => new CheckItem("sdn", CheckState.Missing, $"zone '{wanted}' is of type {zone.Type}, not vxlan"),
                _ => new CheckItem("sdn", CheckState.Ok, $"VXLAN zone '{wanted}'{(zone.Peers is null ? "" : $" (peers {zone.Peers})")}"),
            };
        }

        return vxlan.Count > 0
            ? new CheckItem("sdn", CheckState.Ok, $"VXLAN zones: {List(vxlan)}")
            : new CheckItem("sdn", CheckState.Missing, "no VXLAN SDN zone (Datacenter > SDN > Zones > Add > VXLAN; see docs/deploy/proxmox.md)");
    }

    private static CheckItem Storage(IReadOnlyList<StorageInfo> storage, string? wanted)
    {
        var forImages = storage.Where(s => !s.Disabled && s.Content.Contains("images")).ToList();
        if (wanted is not null)
        {
            var found = storage.FirstOrDefault(s => s.Storage == wanted);
            return found switch
            {
                null => new CheckItem("storage", CheckState.Missing, $"storage '{wanted}' not found (or not visible to the token)"),
                { Disabled: true } => new CheckItem("storage", CheckState.Missing, $"storage '{wanted}' is disabled"),
                _ when !found.Content.Contains("images") => new CheckItem("storage", CheckState.Missing, $"storage '{wanted}' does not hold VM images (content: {string.Join(",", found.Content)})"),
                _ => new CheckItem("storage", CheckState.Ok, $"'{wanted}' ({found.Type}{(found.Shared ? ", shared" : ", local")})"),
            };
        }

        return forImages.Count > 0
            ? new CheckItem("storage", CheckState.Ok, "for VM images: " + string.Join(", ", forImages.Select(s => $"{s.Storage} ({s.Type}{(s.Shared ? ", shared" : "")})")))
            : new CheckItem("storage", CheckState.Missing, "no storage with content 'images' visible to the token");
    }

    private static IEnumerable<CheckItem> Templates(IReadOnlyList<ClusterResource> templates, IReadOnlyList<string> wanted)
    {
        var names = templates.Select(t => $"{t.Name ?? "?"} ({t.VmId} on {t.Node})").ToList();
        yield return templates.Count > 0
            ? new CheckItem("templates", CheckState.Ok, List(names))
            : new CheckItem("templates", CheckState.Warning, "no VM template visible to the token");
        foreach (var name in wanted)
        {
            if (!templates.Any(t => t.Name == name))
            {
                yield return new CheckItem($"template {name}", CheckState.Missing, $"no template named '{name}'");
            }
        }
    }

    private static string List(List<string> values) => values.Count == 0 ? "none" : string.Join(", ", values);
}
