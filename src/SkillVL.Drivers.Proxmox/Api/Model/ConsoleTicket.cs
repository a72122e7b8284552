namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>
/// <c>vncproxy</c>/<c>termproxy</c>: the short-lived ticket (about 40 s) and port for <c>vncwebsocket</c> on the SAME API
/// node, and, from qemu-server 9.1.7, the VNC password to use instead of the ticket (NOTES.md §6). Never logged.
/// </summary>
public sealed record ConsoleTicket(string User, string Ticket, int Port, string? Upid, string? Password)
{
    /// <summary>What the RFB handshake takes as password: <see cref="Password"/> if PVE sent one, else the ticket.</summary>
    public string VncPassword => Password ?? Ticket;

    public override string ToString() => $"console ticket for {User} on port {Port}";
}
