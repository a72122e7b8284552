using SkillVL.Server.Identity;

namespace SkillVL.Server.Consoles;

/// <summary>Console tickets (<see cref="SingleUseTickets{TGrant}"/>), bound to the user and the machine they were issued for.</summary>
public sealed class ConsoleTickets(TimeProvider time) : SingleUseTickets<ConsoleGrant>(time)
{
    public (string Ticket, DateTimeOffset ExpiresAt) Issue(ConsoleGrant grant) => IssueFor(expires => grant with { ExpiresAt = expires });
}
