namespace SkillVL.Core.Api;

/// <param name="Kind">"vnc" (the VGA screen, for noVNC), "spice" (the same screen over SPICE, for spice-html5; its
/// ticket's URL admits the session's channel connections, ADR 0056) or "serial" (the guest's serial console, for xterm.js).</param>
/// <param name="Watch">Watch only (ADR 0050): what the guest shows comes through, nothing typed, clicked or pasted reaches
/// the guest; the machine's users see who watches. Both kinds: the node shares a serial console among its clients (ADR 0054).</param>
public sealed record ConsoleTicketRequest(string? Kind, bool Watch = false);
