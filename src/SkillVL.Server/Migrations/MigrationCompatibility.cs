using SkillVL.Core.Nodes;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Whether a running guest can move between two nodes' hypervisors, as a pure function (issue 12, Deliver 6; tested with
/// a table): a live migration carries the guest's device and CPU state, so the target must build the same virtual
/// machine. Proxmox checks the same before <c>qm migrate</c> (a target without the VM's machine version or CPU flags
/// refuses the incoming state); here the Server refuses before anything starts, with the reason in words.
/// </summary>
public static class MigrationCompatibility
{
    /// <summary>The first reason the guest cannot move from <paramref name="source"/> to <paramref name="target"/>, or null.</summary>
    public static string? Check(NodeFacts source, NodeFacts target)
    {
        if (source.Hypervisor is not { } from || target.Hypervisor is not { } to)
        {
            var silent = source.Hypervisor is null ? source.Name : target.Name;
            return $"node '{silent}' has not reported its hypervisor (QEMU version, machine type, CPU model) yet, "
                + "so the move cannot be checked: wait until its agent is ready, or upgrade an older agent";
        }

        if (StorageMismatch(source, target) is { } storage)
        {
            return storage;
        }

        if (IsKnown(source.Accelerator) && IsKnown(target.Accelerator) && source.Accelerator != target.Accelerator)
        {
            return $"the machine runs under {source.Accelerator} on '{source.Name}' and '{target.Name}' runs {target.Accelerator}: "
                + "QEMU cannot move a running guest between accelerators";
        }

        if (!to.MachineTypes.Contains(from.MachineType, StringComparer.Ordinal))
        {
            return $"'{target.Name}' runs QEMU {to.Version}, which has no machine type {from.MachineType} (the machine's on '{source.Name}', QEMU {from.Version})";
        }

        if (to.MachineType != from.MachineType)
        {
            // The target starts the incoming guest with its own machine type: a different one is a different machine.
            return $"'{target.Name}' starts guests as {to.MachineType}, the machine runs as {from.MachineType} on '{source.Name}': "
                + "give both nodes the same MachineType";
        }

        if (from.CpuModel == "auto" || to.CpuModel == "auto")
        {
            return null; // A node that has not decided between KVM and TCG yet starts guests as the source's accelerator would.
        }

        if (from.CpuModel != to.CpuModel)
        {
            return $"the machine's CPU model on '{source.Name}' is {from.CpuModel} and '{target.Name}' gives guests {to.CpuModel}: "
                + "give both nodes the same named CPU model (skillvl-agent --cpu-model)";
        }

        if (from.CpuModel is "host" or "max" && from.Version != to.Version)
        {
            return $"the machine's CPU model is '{from.CpuModel}', which differs between QEMU {from.Version} on '{source.Name}' and "
                + $"{to.Version} on '{target.Name}': give both nodes a named CPU model (skillvl-agent --cpu-model qemu64-v1)";
        }

        if (from.CpuModel == "host" && target.Kind == "client")
        {
            return $"the machine's CPU model is 'host' (the server's own CPU), which a student's machine '{target.Name}' cannot offer: "
                + "give the nodes a named CPU model (skillvl-agent --cpu-model)";
        }

        return null;
    }

    /// <summary>
    /// A node with its disks in a Ceph pool moves a machine only to a node sharing that pool (RAM only, ADR 0055): it has
    /// no disk mirror, in either direction. Two nodes with their own files mirror as before.
    /// </summary>
    public static string? StorageMismatch(NodeFacts source, NodeFacts target)
    {
        if ((source.Storage is null && target.Storage is null) || NodeStorage.SharesDisks(source.Storage, target.Storage))
        {
            return null;
        }

        return $"the machine's disk is in {NodeStorage.Describe(source.Storage)} on '{source.Name}' and '{target.Name}' keeps disks in "
            + $"{NodeStorage.Describe(target.Storage)}: a node with its disks in a Ceph pool moves machines only to nodes sharing that pool "
            + "(nothing is copied; ADR 0055)";
    }

    private static bool IsKnown(string accelerator) => accelerator is "kvm" or "tcg";
}
