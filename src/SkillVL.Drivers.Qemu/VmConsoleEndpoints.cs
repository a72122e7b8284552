namespace SkillVL.Drivers.Qemu;

/// <summary>Where the console gateway on this node reaches a VM's consoles (host-local unix sockets).</summary>
/// <param name="VncSocket">RFB server of the VM's VGA display.</param>
/// <param name="SpiceSocket">SPICE server of the same display (ADR 0056): one connection per SPICE channel.</param>
/// <param name="SerialSocket">The VM's first serial port (raw bytes both ways).</param>
/// <param name="SerialLog">Everything the guest printed on its serial port since it booted.</param>
public sealed record VmConsoleEndpoints(string VncSocket, string SpiceSocket, string SerialSocket, string SerialLog);
