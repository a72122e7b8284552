namespace SkillVL.ProxmoxSimulator;

/// <summary>A VM or template in the simulator: where it is, whether it runs, the lock a task holds, its config keys.</summary>
public sealed class SimulatedVm(long vmid, string node, string name)
{
    public long VmId { get; } = vmid;

    public string Node { get; set; } = node;

    public string Name { get; set; } = name;

    public bool Template { get; set; }

    public bool Running { get; set; }

    /// <summary><c>clone</c>, <c>migrate</c>... while a task works on the VM (qemu-server writes it into the config).</summary>
    public string? Lock { get; set; }

    public Dictionary<string, string> Config { get; } = new(StringComparer.Ordinal);
}
