using SkillVL.Core.Migration;

namespace SkillVL.Core.Compute;

/// <summary>
/// What the source node measured of a VM just before moving it (<see cref="IVmMigrationDriver.MeasureAsync"/>): the two
/// figures of <see cref="VmMigrationProfile"/> only the hypervisor knows.
/// </summary>
/// <param name="DirtyRate">How fast the guest dirties RAM (distinct pages written per second over the sample, as QEMU's
/// <c>calc-dirty-rate</c> estimates it); zero for a VM that is not running.</param>
/// <param name="OverlayBytes">Bytes allocated on the host by the VM's own qcow2 overlay (its data clusters plus qcow2
/// metadata): about what an overlay transfer mirrors.</param>
/// <param name="Sample">How long the dirty rate was sampled; zero when the VM was not running (nothing to sample).</param>
public sealed record VmMigrationMeasurement(DataRate DirtyRate, long OverlayBytes, TimeSpan Sample);
