namespace SkillVL.Core.Rooms;

public sealed record MachineDefinition
{
    public string Name { get; init; } = "";

    /// <summary>Template name, e.g. "tiny".</summary>
    public string Template { get; init; } = "";

    /// <summary>The node to place the machine on; null: the scheduler chooses.</summary>
    public string? Node { get; init; }

    /// <summary>Labels a node must carry to take the machine; null: any node.</summary>
    public IReadOnlyDictionary<string, string>? NodeLabels { get; init; }

    /// <summary>Virtual CPUs; the template's default when absent.</summary>
    public int? Cpus { get; init; }

    /// <summary>RAM as a Kubernetes-style quantity ("256Mi", "1Gi"); the template's default when absent.</summary>
    public string? Memory { get; init; }

    public IReadOnlyList<NicDefinition> Nics { get; init; } = [];

    /// <summary>
    /// Default gateway; null: the address of the first router on the network of the machine's first NIC
    /// that has a router (<see cref="RoomRouting.DefaultGateway"/>), else none.
    /// </summary>
    public string? Gateway { get; init; }

    /// <summary>SSH keys and user-data for a template that takes cloud-init (ADR 0059); null: none.</summary>
    public MachineCloudInit? CloudInit { get; init; }

    public UiPosition? Ui { get; init; }
}
