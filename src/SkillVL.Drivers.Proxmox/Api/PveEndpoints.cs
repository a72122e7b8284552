namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// Every PVE API method this backend calls, in one list, so a test can check each against the official schema
/// (api-flat-9.1.json) without running it: a request the client can make but no test sends is still checked here.
/// </summary>
public static class PveEndpoints
{
    public static readonly PveEndpoint Version = new("GET", "/version");
    public static readonly PveEndpoint ClusterStatus = new("GET", "/cluster/status");
    public static readonly PveEndpoint ClusterResources = new("GET", "/cluster/resources");
    public static readonly PveEndpoint NextId = new("GET", "/cluster/nextid");
    public static readonly PveEndpoint Nodes = new("GET", "/nodes");
    public static readonly PveEndpoint Permissions = new("GET", "/access/permissions");
    public static readonly PveEndpoint Storage = new("GET", "/storage");

    public static readonly PveEndpoint SdnZones = new("GET", "/cluster/sdn/zones");
    public static readonly PveEndpoint SdnVnets = new("GET", "/cluster/sdn/vnets");
    public static readonly PveEndpoint SdnCreateVnet = new("POST", "/cluster/sdn/vnets");
    public static readonly PveEndpoint SdnDeleteVnet = new("DELETE", "/cluster/sdn/vnets/{vnet}");
    public static readonly PveEndpoint SdnApply = new("PUT", "/cluster/sdn");

    public static readonly PveEndpoint TaskStatus = new("GET", "/nodes/{node}/tasks/{upid}/status");
    public static readonly PveEndpoint TaskLog = new("GET", "/nodes/{node}/tasks/{upid}/log");

    public static readonly PveEndpoint VmList = new("GET", "/nodes/{node}/qemu");
    public static readonly PveEndpoint VmClone = new("POST", "/nodes/{node}/qemu/{vmid}/clone");
    public static readonly PveEndpoint VmConfig = new("GET", "/nodes/{node}/qemu/{vmid}/config");
    public static readonly PveEndpoint VmSetConfig = new("PUT", "/nodes/{node}/qemu/{vmid}/config");
    public static readonly PveEndpoint VmDelete = new("DELETE", "/nodes/{node}/qemu/{vmid}");
    public static readonly PveEndpoint VmStatus = new("GET", "/nodes/{node}/qemu/{vmid}/status/current");
    public static readonly PveEndpoint VmStart = new("POST", "/nodes/{node}/qemu/{vmid}/status/start");
    public static readonly PveEndpoint VmStop = new("POST", "/nodes/{node}/qemu/{vmid}/status/stop");
    public static readonly PveEndpoint VmMigrate = new("POST", "/nodes/{node}/qemu/{vmid}/migrate");
    public static readonly PveEndpoint AgentExec = new("POST", "/nodes/{node}/qemu/{vmid}/agent/exec");
    public static readonly PveEndpoint AgentExecStatus = new("GET", "/nodes/{node}/qemu/{vmid}/agent/exec-status");
    public static readonly PveEndpoint AgentInterfaces = new("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces");
    public static readonly PveEndpoint VncProxy = new("POST", "/nodes/{node}/qemu/{vmid}/vncproxy");
    public static readonly PveEndpoint TermProxy = new("POST", "/nodes/{node}/qemu/{vmid}/termproxy");
    public static readonly PveEndpoint VncWebSocket = new("GET", "/nodes/{node}/qemu/{vmid}/vncwebsocket");

    /// <summary>All of the above (reflection-free, so trimming cannot lose one).</summary>
    public static IReadOnlyList<PveEndpoint> All { get; } =
    [
        Version, ClusterStatus, ClusterResources, NextId, Nodes, Permissions, Storage,
        SdnZones, SdnVnets, SdnCreateVnet, SdnDeleteVnet, SdnApply, TaskStatus, TaskLog,
        VmList, VmClone, VmConfig, VmSetConfig, VmDelete, VmStatus, VmStart, VmStop, VmMigrate,
        AgentExec, AgentExecStatus, AgentInterfaces, VncProxy, TermProxy, VncWebSocket,
    ];
}
