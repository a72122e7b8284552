using System.Text.Json.Nodes;

namespace SkillVL.Drivers.Qemu.Qmp;

/// <summary>An asynchronous QMP event (e.g. SHUTDOWN, STOP, POWERDOWN).</summary>
/// <param name="Name">The event name as QEMU spells it.</param>
/// <param name="Data">The event's data member, or null.</param>
/// <param name="Timestamp">When QEMU emitted it (QEMU's host clock).</param>
public sealed record QmpEvent(string Name, JsonObject? Data, DateTimeOffset Timestamp);
