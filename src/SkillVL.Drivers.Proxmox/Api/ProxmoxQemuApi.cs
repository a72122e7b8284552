using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using SkillVL.Drivers.Proxmox.Api.Model;
using SkillVL.Drivers.Proxmox.Tasks;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// QEMU VMs on a PVE node. Calls that start work (clone, start, stop, migrate, delete) return the task's
/// <see cref="Upid"/>: follow it with <see cref="TaskFollower"/> before touching the VM again, because the task holds the
/// VM's lock (a config write on a clone still running waits on <c>lock-N.conf</c> and fails, NOTES.md §12).
/// </summary>
public sealed class ProxmoxQemuApi(ProxmoxHttp http)
{
    /// <summary>The VMs (and templates) on one node.</summary>
    public async Task<IReadOnlyList<VmStatus>> ListAsync(string node, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.VmList, [node], null, cancellationToken).ConfigureAwait(false);
        return PveJson.Array(data).Select(Status).ToList();
    }

    /// <summary>
    /// Clones <paramref name="vmid"/> (a template: linked clone by default) to <paramref name="newId"/>, in a pool.
    /// The task's UPID names the SOURCE vmid.
    /// </summary>
    public async Task<Upid> CloneAsync(string node, long vmid, long newId, string? name, string? pool, bool? full, CancellationToken cancellationToken)
    {
        var parameters = new PveParameters().Add("newid", newId).Add("name", name).Add("pool", pool).Add("full", full);
        return await Task(PveEndpoints.VmClone, [node, Id(vmid)], parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The VM's configuration as PVE stores it (keys such as <c>net0</c>, <c>tags</c>, <c>lock</c>, <c>digest</c>).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetConfigAsync(string node, long vmid, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.VmConfig, [node, Id(vmid)], null, cancellationToken).ConfigureAwait(false);
        return data.ValueKind == JsonValueKind.Object
            ? data.EnumerateObject().ToDictionary(p => p.Name, p => PveJson.String(data, p.Name) ?? p.Value.GetRawText(), StringComparer.Ordinal)
            : new Dictionary<string, string>();
    }

    /// <summary>
    /// Sets configuration keys synchronously (<c>PUT</c>: no disk allocation here). Values go as given: property strings
    /// such as <c>net0=virtio,bridge=room1</c> are built by the caller. <paramref name="digest"/> guards against a
    /// concurrent change (PVE refuses when the config changed since it was read).
    /// </summary>
    public async Task SetConfigAsync(string node, long vmid, IReadOnlyDictionary<string, string> values, string? digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        var parameters = new PveParameters();
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            parameters.Add(key, value);
        }

        parameters.Add("digest", digest);
        await Send(PveEndpoints.VmSetConfig, [node, Id(vmid)], parameters, cancellationToken).ConfigureAwait(false);
    }

    public async Task<VmStatus> GetStatusAsync(string node, long vmid, CancellationToken cancellationToken) =>
        Status(await Send(PveEndpoints.VmStatus, [node, Id(vmid)], null, cancellationToken).ConfigureAwait(false));

    public Task<Upid> StartAsync(string node, long vmid, CancellationToken cancellationToken) =>
        Task(PveEndpoints.VmStart, [node, Id(vmid)], null, cancellationToken);

    /// <summary>Hard stop (the power cord), as SkillVL's stop of a QEMU VM is.</summary>
    public Task<Upid> StopAsync(string node, long vmid, CancellationToken cancellationToken) =>
        Task(PveEndpoints.VmStop, [node, Id(vmid)], null, cancellationToken);

    /// <summary>Destroys the VM and its disks, and removes it from pools, backup jobs and HA (<c>purge=1</c>).</summary>
    public Task<Upid> DeleteAsync(string node, long vmid, CancellationToken cancellationToken) =>
        Task(PveEndpoints.VmDelete, [node, Id(vmid)], new PveParameters().Add("purge", true), cancellationToken);

    /// <summary>Migrates within the cluster; <paramref name="online"/> for a running VM (live).</summary>
    public Task<Upid> MigrateAsync(string node, long vmid, string target, bool online, bool withLocalDisks, CancellationToken cancellationToken) =>
        Task(
            PveEndpoints.VmMigrate, [node, Id(vmid)],
            new PveParameters().Add("target", target).Add("online", online).Add("with-local-disks", withLocalDisks ? true : null),
            cancellationToken);

    /// <summary>Starts a program in the guest through the guest agent; returns the guest's pid.</summary>
    public async Task<long> AgentExecAsync(string node, long vmid, IReadOnlyList<string> command, string? input, CancellationToken cancellationToken)
    {
        var parameters = new PveParameters().AddEach("command", command).Add("input-data", input);
        var data = await Send(PveEndpoints.AgentExec, [node, Id(vmid)], parameters, cancellationToken).ConfigureAwait(false);
        return PveJson.Long(data, "pid") ?? throw new ProxmoxException(http.Cluster.Name, $"POST agent/exec on VM {vmid}", 200, "the answer has no pid");
    }

    public async Task<GuestExecStatus> AgentExecStatusAsync(string node, long vmid, long pid, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.AgentExecStatus, [node, Id(vmid)], new PveParameters().Add("pid", pid), cancellationToken).ConfigureAwait(false);
        var exitCode = PveJson.Long(data, "exitcode");
        return new GuestExecStatus(PveJson.Bool(data, "exited"), exitCode is null ? null : (int)exitCode, PveJson.String(data, "out-data"), PveJson.String(data, "err-data"));
    }

    /// <summary>The guest's interfaces and addresses (the agent's answer is wrapped in <c>result</c>).</summary>
    public async Task<IReadOnlyList<GuestInterface>> AgentInterfacesAsync(string node, long vmid, CancellationToken cancellationToken)
    {
        var data = await Send(PveEndpoints.AgentInterfaces, [node, Id(vmid)], null, cancellationToken).ConfigureAwait(false);
        var result = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("result", out var r) ? r : data;
        return PveJson.Array(result).Select(i => new GuestInterface(
            PveJson.String(i, "name") ?? "",
            PveJson.String(i, "hardware-address"),
            i.TryGetProperty("ip-addresses", out var addresses)
                ? PveJson.Array(addresses).Select(a => $"{PveJson.String(a, "ip-address")}/{PveJson.String(a, "prefix")}").ToList()
                : [])).ToList();
    }

    /// <summary>A VNC ticket for <c>vncwebsocket</c> (<c>websocket=1</c>); the websocket must go to the same API node.</summary>
    public async Task<ConsoleTicket> VncProxyAsync(string node, long vmid, CancellationToken cancellationToken) =>
        Ticket(await Send(PveEndpoints.VncProxy, [node, Id(vmid)], new PveParameters().Add("websocket", true), cancellationToken).ConfigureAwait(false));

    /// <summary>A serial-console ticket (<c>termproxy</c>, xterm.js protocol) for <paramref name="serial"/> (serial0..3).</summary>
    public async Task<ConsoleTicket> TermProxyAsync(string node, long vmid, string serial, CancellationToken cancellationToken) =>
        Ticket(await Send(PveEndpoints.TermProxy, [node, Id(vmid)], new PveParameters().Add("serial", serial), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Opens the console's websocket with a ticket from <see cref="VncProxyAsync"/> or <see cref="TermProxyAsync"/>; the
    /// bytes are RFB (VNC) or PVE's xterm.js framing. Must go to the API node that issued the ticket: this client's address.
    /// </summary>
    public Task<WebSocket> OpenConsoleAsync(string node, long vmid, ConsoleTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return http.ConnectWebSocketAsync(
            PveEndpoints.VncWebSocket.PathTemplate, [node, Id(vmid)],
            new PveParameters().Add("port", (long)ticket.Port).Add("vncticket", ticket.Ticket), cancellationToken);
    }

    private async Task<Upid> Task(PveEndpoint endpoint, IReadOnlyList<string> pathValues, PveParameters? parameters, CancellationToken cancellationToken)
    {
        var data = await Send(endpoint, pathValues, parameters, cancellationToken).ConfigureAwait(false);
        var text = data.ValueKind == JsonValueKind.String ? data.GetString() : null;
        return Upid.TryParse(text, out var upid)
            ? upid!
            : throw new ProxmoxException(http.Cluster.Name, $"{endpoint.Method} {ProxmoxHttp.Fill(endpoint.PathTemplate, pathValues)}", 200, $"expected a task id (UPID), got {data.GetRawText()}");
    }

    private Task<JsonElement> Send(PveEndpoint endpoint, IReadOnlyList<string> pathValues, PveParameters? parameters, CancellationToken cancellationToken) =>
        http.SendAsync(endpoint.HttpMethod, endpoint.PathTemplate, pathValues, parameters, cancellationToken);

    private static string Id(long vmid) => vmid.ToString(CultureInfo.InvariantCulture);

    private static VmStatus Status(JsonElement e) =>
        new(PveJson.Long(e, "vmid") ?? 0, PveJson.String(e, "status") ?? "unknown", PveJson.String(e, "name"), PveJson.String(e, "lock"),
            PveJson.Bool(e, "agent"), PveJson.Bool(e, "template"));

    private static ConsoleTicket Ticket(JsonElement e) =>
        new(PveJson.String(e, "user") ?? "", PveJson.String(e, "ticket") ?? "", (int)(PveJson.Long(e, "port") ?? 0), PveJson.String(e, "upid"), PveJson.String(e, "password"));
}
