namespace SkillVL.Core.Nodes;

/// <summary>
/// What a node's hypervisor is, as far as moving a running guest there is concerned (issue 12, Deliver 6): a live
/// migration carries the guest's device and CPU state, so the target must build the same virtual machine — the same
/// versioned machine type and the same CPU model — under the same accelerator.
/// </summary>
/// <param name="Version">The hypervisor's version (QEMU: <c>7.2.22</c>).</param>
/// <param name="MachineType">The versioned machine type this node's VMs run (<c>pc-i440fx-7.2</c>, never the bare
/// alias <c>pc</c>, whose meaning changes with the QEMU version).</param>
/// <param name="CpuModel">The CPU model this node's VMs get: a named model (<c>qemu64-v1</c>, <c>Nehalem-v2</c>) moves
/// between hosts; <c>host</c> (KVM's passthrough) and <c>max</c> (everything the accelerator can do) depend on the host
/// and the QEMU version.</param>
/// <param name="MachineTypes">The machine types of the same family this node can run (to receive older guests).</param>
public sealed record HypervisorFacts(string Version, string MachineType, string CpuModel, IReadOnlyList<string> MachineTypes);
