namespace SkillVL.Core.Api;

/// <param name="Kind">"vnc" (the VGA screen, for noVNC) or "serial" (the guest's serial console, for xterm.js).</param>
public sealed record ConsoleTicketRequest(string? Kind);
