using System.Net;
using System.Net.Sockets;
using SkillVL.Drivers.Qemu.Networking.Relay;
using SkillVL.Drivers.Qemu.Networking.Switching;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>The relay link as a port of stream mode's switch (ADR 0052) speaks ADR 0019's records, over a real TCP pair.</summary>
public sealed class RelaySwitchPortTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RelayPort_CarriesFramesBothWays_AndKeepsSendingKeepalivesWhileIdle()
    {
        var timings = new RelayTimings { KeepaliveInterval = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromSeconds(5) };
        var sw = new StreamSwitch("aaaaaaaaaaaa", 1450, TimeProvider.System);
        var vm = sw.AddPort("vm");
        var counters = new RelayCounters();
        await using var relay = new RelaySwitchPort(sw, counters, timings, TimeProvider.System);
        var (agentSide, hubSide) = await PairAsync();
        using var stop = new CancellationTokenSource();
        var run = relay.RunAsync(agentSide, stop.Token);
        var buffer = new byte[1468];

        // Idle: keepalives, again and again (not just one).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, await ReadAsync(hubSide, buffer));
        }

        // VM -> hub: one record with the frame.
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);
        frame[6] = 0x52;
        frame[11] = 0x0a;
        sw.Forward(vm, frame);
        int length;
        while ((length = await ReadAsync(hubSide, buffer)) == 0)
        {
            // Keepalives may come first.
        }

        Assert.Equal(frame, buffer[..length]);

        // Hub -> VM: a record becomes a frame in the VM port's queue.
        var back = new byte[62];
        back.AsSpan(0, 6).Fill(0xff);
        back[6] = 0x52;
        back[11] = 0x0c;
        RelayProtocol.WriteFrame(hubSide, back, new byte[100]);
        await Bounded(() => vm.TryDequeue(out var got) && got.SequenceEqual(back));
        Assert.Equal(1, counters.FramesSent);
        Assert.Equal(1, counters.FramesReceived);

        await stop.CancelAsync();
        Assert.Equal("stopped", await run.WaitAsync(Wait));
        await hubSide.DisposeAsync();
        await agentSide.DisposeAsync();
    }

    private static async Task<int> ReadAsync(Stream stream, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await RelayProtocol.ReadFrameAsync(stream, buffer, buffer.Length, timeout.Token);
    }

    private static async Task Bounded(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within the wait");
            await Task.Delay(20);
        }
    }

    private static async Task<(NetworkStream, NetworkStream)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Wait);
        var server = await listener.AcceptAsync().WaitAsync(Wait);
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }
}
