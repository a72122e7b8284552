namespace SkillVL.Core.Api;

/// <param name="Kind">"vnc" (the VGA screen, for noVNC) or "serial" (the guest's serial console, for xterm.js).</param>
/// <param name="Watch">Watch only (ADR 0050), for kind vnc: the screen comes through, nothing typed, clicked or pasted reaches
/// the guest; the machine's users see who watches. A serial console cannot be watched (QEMU serves it to one client).</param>
public sealed record ConsoleTicketRequest(string? Kind, bool Watch = false);
