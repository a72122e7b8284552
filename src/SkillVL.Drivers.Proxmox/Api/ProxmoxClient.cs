using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Drivers.Proxmox.Api.Model;
using SkillVL.Drivers.Proxmox.Tasks;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// The typed PVE API of one cluster: cluster-wide reads here, SDN in <see cref="Sdn"/>, VMs in <see cref="Qemu"/>,
/// asynchronous work followed through <see cref="Tasks"/>. Every answer is parsed leniently (<see cref="PveJson"/>).
/// </summary>
public sealed class ProxmoxClient : IDisposable
{
    public ProxmoxClient(ProxmoxHttp http, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        Http = http;
        Tasks = new TaskFollower(http, timeProvider, logger);
        Sdn = new ProxmoxSdnApi(http);
        Qemu = new ProxmoxQemuApi(http);
    }

    public ProxmoxHttp Http { get; }

    public TaskFollower Tasks { get; }

    public ProxmoxSdnApi Sdn { get; }

    public ProxmoxQemuApi Qemu { get; }

    public async Task<PveVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.Version, [], null, cancellationToken).ConfigureAwait(false);
        return new PveVersion(PveJson.String(data, "version") ?? "", PveJson.String(data, "release") ?? "", PveJson.String(data, "repoid"));
    }

    public async Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.ClusterStatus, [], null, cancellationToken).ConfigureAwait(false);
        var entries = PveJson.Array(data).ToList();
        var cluster = entries.FirstOrDefault(e => PveJson.String(e, "type") == "cluster");
        var members = entries
            .Where(e => PveJson.String(e, "type") == "node")
            .Select(e => new ClusterMember(PveJson.String(e, "name") ?? "", PveJson.Bool(e, "online"), PveJson.String(e, "ip")))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        return cluster.ValueKind == JsonValueKind.Object
            ? new ClusterStatus(PveJson.String(cluster, "name"), PveJson.Bool(cluster, "quorate"), members)
            : new ClusterStatus(null, true, members);
    }

    /// <param name="type">PVE's filter: <c>vm</c>, <c>storage</c>, <c>node</c>, <c>sdn</c>; null for all.</param>
    public async Task<IReadOnlyList<ClusterResource>> GetResourcesAsync(string? type, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.ClusterResources, [], new PveParameters().Add("type", type), cancellationToken).ConfigureAwait(false);
        return PveJson.Array(data).Select(e => new ClusterResource(
            PveJson.String(e, "id") ?? "", PveJson.String(e, "type") ?? "", PveJson.String(e, "node"), PveJson.Long(e, "vmid"),
            PveJson.String(e, "name"), PveJson.String(e, "status"), PveJson.Bool(e, "template"), PveJson.Long(e, "maxcpu"),
            PveJson.Long(e, "maxmem"), PveJson.String(e, "tags"), PveJson.String(e, "lock"), PveJson.String(e, "pool"),
            PveJson.String(e, "storage"))).ToList();
    }

    /// <summary>The VM templates visible to the token (<c>/cluster/resources?type=vm</c>, <c>template == 1</c>).</summary>
    public async Task<IReadOnlyList<ClusterResource>> GetTemplatesAsync(CancellationToken cancellationToken) =>
        [.. (await GetResourcesAsync("vm", cancellationToken).ConfigureAwait(false)).Where(r => r.Template && r.Type == "qemu")];

    public async Task<IReadOnlyList<string>> GetNodeNamesAsync(CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.Nodes, [], null, cancellationToken).ConfigureAwait(false);
        return [.. PveJson.Array(data).Select(e => PveJson.String(e, "node") ?? "").Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The privileges the caller (this token) has at <paramref name="path"/>, inheritance applied by PVE
    /// (<c>GET /access/permissions?path=</c> answers <c>{path: {privilege: propagate}}</c>).
    /// </summary>
    public async Task<IReadOnlySet<string>> GetPrivilegesAsync(string path, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.Permissions, [], new PveParameters().Add("path", path), cancellationToken).ConfigureAwait(false);
        var privileges = new HashSet<string>(StringComparer.Ordinal);
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(path, out var atPath) && atPath.ValueKind == JsonValueKind.Object)
        {
            foreach (var privilege in atPath.EnumerateObject())
            {
                privileges.Add(privilege.Name);
            }
        }

        return privileges;
    }

    public async Task<IReadOnlyList<StorageInfo>> GetStorageAsync(CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.Storage, [], null, cancellationToken).ConfigureAwait(false);
        return PveJson.Array(data).Select(e => new StorageInfo(
            PveJson.String(e, "storage") ?? "", PveJson.String(e, "type") ?? "",
            (PveJson.String(e, "content") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            PveJson.Bool(e, "shared"), PveJson.Bool(e, "disable"))).ToList();
    }

    /// <summary>
    /// A free vmid (<c>/cluster/nextid</c>; PVE answers it as a JSON string). It reserves nothing (NOTES.md §12): callers
    /// allocate from their own range and pass <paramref name="candidate"/> to check one, which PVE refuses with 400 if taken.
    /// </summary>
    public async Task<long> NextIdAsync(long? candidate, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.NextId, [], new PveParameters().Add("vmid", candidate), cancellationToken).ConfigureAwait(false);
        return PveJson.ToLong(data);
    }

    public void Dispose() => Http.Dispose();

    private Task<JsonElement> Send(PveEndpoint endpoint, IReadOnlyList<string> pathValues, PveParameters? parameters, CancellationToken cancellationToken) =>
        Http.SendAsync(endpoint.HttpMethod, endpoint.PathTemplate, pathValues, parameters, cancellationToken);
}
