using Microsoft.Extensions.Time.Testing;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests;

public sealed class ConsoleTicketsTests
{
    private static readonly ConsoleGrant Grant = new("u1", "vera", "student", "vm-a", "local", "room=con machine=box", "vnc");

    [Fact]
    public void Ticket_WorksOnce_ForTheMachineItWasIssuedFor()
    {
        var tickets = new ConsoleTickets(new FakeTimeProvider());
        var (ticket, _) = tickets.Issue(Grant);

        var first = tickets.Redeem(ticket);

        Assert.Equal(("vm-a", "vnc", "u1"), (first!.VmId, first.Kind, first.UserId));
        Assert.Null(tickets.Redeem(ticket));
    }

    [Fact]
    public void Ticket_ExpiresAfterThirtySeconds()
    {
        var time = new FakeTimeProvider();
        var tickets = new ConsoleTickets(time);
        var (late, expires) = tickets.Issue(Grant);
        var (inTime, _) = tickets.Issue(Grant with { VmId = "vm-b" });

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("vm-b", tickets.Redeem(inTime)!.VmId);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(31) + ConsoleTickets.Lifetime, expires);
        Assert.Null(tickets.Redeem(late));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-ticket")]
    public void UnknownTickets_GiveNothing(string? ticket) =>
        Assert.Null(new ConsoleTickets(new FakeTimeProvider()).Redeem(ticket));
}
