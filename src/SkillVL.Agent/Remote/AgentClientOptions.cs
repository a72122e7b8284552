namespace SkillVL.Agent.Remote;

/// <summary>How a standalone agent finds the Server and describes its node.</summary>
public sealed class AgentClientOptions
{
    /// <summary>http(s)://host:port of the Server, or unix:/path/to/agent.sock.</summary>
    public required string Server { get; init; }

    /// <summary>One-time join token; needed only for the first start (the credential is kept afterwards).</summary>
    public string? JoinToken { get; init; }

    public required string Name { get; init; }

    /// <summary>server | edge | client.</summary>
    public string Kind { get; init; } = "server";

    /// <summary>The address VXLAN tunnels to this node use.</summary>
    public string? UnderlayAddress { get; init; }

    /// <summary>The TCP port on <see cref="UnderlayAddress"/> where this node, when the Server makes it the hub of a room
    /// network, accepts client nodes' relay connections (ADR 0019). Default <see cref="DefaultRelayPort"/>. Nothing
    /// listens there until the node is a hub; client nodes never listen. Reported to the Server in the node's facts.</summary>
    public int RelayPort { get; init; } = DefaultRelayPort;

    /// <summary>7470: a fixed port, so a firewall in front of the server nodes can be opened for it once.</summary>
    public const int DefaultRelayPort = 7470;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required string DataDirectory { get; init; }

    public required string RuntimeDirectory { get; init; }

    public string Accelerator { get; init; } = "auto";

    /// <summary>The system user QEMU runs as (<see cref="LocalNodeOptions.QemuUser"/>; default <c>skillvl-qemu</c>).</summary>
    public string QemuUser { get; init; } = "skillvl-qemu";

    /// <summary>The CPU model VMs get (<see cref="LocalNodeOptions.CpuModel"/>); null: the accelerator's default.</summary>
    public string? CpuModel { get; init; }

    /// <summary>How VMs reach room networks (<see cref="LocalNodeOptions.VmNetwork"/>): <c>bridge</c> or <c>stream</c> (ADR 0052).</summary>
    public string VmNetwork { get; init; } = Drivers.Qemu.QemuDriverOptions.BridgeNetworking;

    /// <summary>Where VMs' disks live (<see cref="LocalNodeOptions.RbdDisks"/>): the agent's <c>--disk-store</c> flags
    /// (<see cref="DiskStoreFlags"/>).</summary>
    public DiskStoreFlags DiskStore { get; init; } = new();

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the node's load is read from (<see cref="Load.NodeLoadReader"/>): <c>/proc</c>. A test seam (ADR 0035): nodes
    /// of the testbed share the host's /proc, so a test that needs one node hot and another idle gives each agent a
    /// directory of its own (<c>SKILLVL_AGENT_PROC_ROOT</c>, read by the agent's host only). It is not reachable through
    /// the API or the Server, and nothing but the load report reads it.
    /// </summary>
    public string ProcRoot { get; init; } = "/proc";

    /// <summary>The uid of the node's owner (<c>--local-user</c>), who may use the local control socket besides root
    /// (ADR 0024); null: root only.</summary>
    public uint? LocalUserUid { get; init; }
}
