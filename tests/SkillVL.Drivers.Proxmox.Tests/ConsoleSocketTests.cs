using System.Net.WebSockets;
using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary><c>vncwebsocket</c> needs the ticket vncproxy issued for that VM and port (the simulator runs no VM behind it).</summary>
public sealed class ConsoleSocketTests
{
    [Fact]
    public async Task VncWebSocket_WithItsTicket_Opens_WithAnotherVmsTicket_Is401()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[170] = new ProxmoxSimulator.SimulatedVm(170, "pve1", "a") { Running = true };
        fixture.Simulator.Vms[171] = new ProxmoxSimulator.SimulatedVm(171, "pve1", "b") { Running = true };
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var ticket = await client.Qemu.VncProxyAsync("pve1", 170, timeout.Token);
        using var socket = await client.Qemu.OpenConsoleAsync("pve1", 170, ticket, timeout.Token);
        var frame = await socket.ReceiveAsync(new byte[64], timeout.Token);
        var other = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.OpenConsoleAsync("pve1", 171, ticket, timeout.Token));

        Assert.Equal("binary", socket.SubProtocol);
        Assert.Equal(WebSocketMessageType.Close, frame.MessageType);
        Assert.Equal("simulator: no VM behind this console", socket.CloseStatusDescription);
        Assert.Equal(401, other.StatusCode);
        Assert.Contains("Proxmox cluster 'lab': GET /nodes/pve1/qemu/171/vncwebsocket answered 401", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ticket.Ticket, other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VncWebSocket_ExpiredTicket_Is401()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[172] = new ProxmoxSimulator.SimulatedVm(172, "pve1", "a") { Running = true };
        fixture.Simulator.ConsoleTicketLifetime = TimeSpan.Zero;
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var ticket = await client.Qemu.TermProxyAsync("pve1", 172, "serial0", timeout.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.OpenConsoleAsync("pve1", 172, ticket, timeout.Token));

        Assert.Equal(401, e.StatusCode);
    }
}
