using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking.Switching;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>
/// Stream mode's node side (ADR 0052) over real unix sockets: the test plays QEMU's <c>-netdev stream,server=on</c> (it
/// listens, 4-byte big-endian length + frame, one peer at a time, listens again when it goes). No root, no QEMU.
/// </summary>
public sealed class StreamNetworksTests : IAsyncLifetime
{
    private const string Net = "aaaaaaaaaaaa";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly byte[] MacA = [0x52, 0x54, 0, 0, 0, 0x0a];
    private static readonly byte[] MacB = [0x52, 0x54, 0, 0, 0, 0x0b];

    private readonly string _directory = Directory.CreateTempSubdirectory("skillvl-stream-").FullName;
    private readonly StreamNetworks _networks = new("/nonexistent-tls", TimeProvider.System, NullLogger<StreamNetworks>.Instance);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _networks.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task VxlanPeerOrRelayHub_IsRefused_NothingCreated()
    {
        var overlay = new NetworkSpec(Net, 1450, Overlay: new VxlanOverlay(42, "192.0.2.1", ["192.0.2.2"]));
        var hub = new NetworkSpec(Net, 1450, RelayHub: new NetworkRelayHub("192.0.2.1", 7470, ["laptop1"]));

        var error = await Assert.ThrowsAsync<DriverException>(() => _networks.EnsureAsync(overlay, CancellationToken.None));
        Assert.False(error.IsTransient);
        Assert.Contains("stream mode", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DriverException>(() => _networks.EnsureAsync(hub, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _networks.EnsureAsync(new NetworkSpec(Net, 40), CancellationToken.None));
        Assert.Empty(await _networks.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Attach_WithoutTheNetwork_SaysSo()
    {
        Assert.False(await _networks.AttachAsync("000000000001", Net, Path.Combine(_directory, "a.sock"), CancellationToken.None));
    }

    [Fact]
    public async Task TwoVms_ReachEachOther_AndAgainAfterOneQemuRestarts()
    {
        await _networks.EnsureAsync(new NetworkSpec(Net, 1450), CancellationToken.None);
        var pathA = Path.Combine(_directory, "a.sock");
        var pathB = Path.Combine(_directory, "b.sock");
        using var listenerA = Listen(pathA);
        using var listenerB = Listen(pathB);
        Assert.True(await _networks.AttachAsync("00000000000a", Net, pathA, CancellationToken.None));
        Assert.True(await _networks.AttachAsync("00000000000b", Net, pathB, CancellationToken.None));
        using var vmA = await AcceptAsync(listenerA);
        using var vmB = await AcceptAsync(listenerB);

        var broadcast = Frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], MacA, 1);
        await SendAsync(vmA, broadcast);
        Assert.Equal(broadcast, await ReceiveAsync(vmB));

        // QEMU of VM A goes and a new one listens on the same path: the agent connects again by itself.
        vmA.Dispose();
        listenerA.Dispose();
        File.Delete(pathA);
        using var listenerA2 = Listen(pathA);
        using var vmA2 = await AcceptAsync(listenerA2);
        var unicast = Frame(MacA, MacB, 2);
        await SendAsync(vmB, unicast);
        Assert.Equal(unicast, await ReceiveAsync(vmA2));
        Assert.Equal(1, _networks.SwitchOf(Net)!.Counters.Forwarded);
    }

    [Fact]
    public async Task FrameLargerThanTheNetwork_IsSkipped_TheNextOneCrosses()
    {
        await _networks.EnsureAsync(new NetworkSpec(Net, 1450), CancellationToken.None);
        var pathA = Path.Combine(_directory, "a.sock");
        var pathB = Path.Combine(_directory, "b.sock");
        using var listenerA = Listen(pathA);
        using var listenerB = Listen(pathB);
        await _networks.AttachAsync("00000000000a", Net, pathA, CancellationToken.None);
        await _networks.AttachAsync("00000000000b", Net, pathB, CancellationToken.None);
        using var vmA = await AcceptAsync(listenerA);
        using var vmB = await AcceptAsync(listenerB);

        var tooLarge = new byte[1450 + 19];
        Frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], MacA, 1).CopyTo(tooLarge, 0);
        await SendAsync(vmA, tooLarge);
        var fits = new byte[1450 + 18];
        Frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], MacA, 2).CopyTo(fits, 0);
        await SendAsync(vmA, fits);

        Assert.Equal(fits, await ReceiveAsync(vmB));
        Assert.Equal(1, _networks.SwitchOf(Net)!.Counters.BadSize);
    }

    [Fact]
    public async Task DeletedNetwork_ClosesItsVmConnections()
    {
        await _networks.EnsureAsync(new NetworkSpec(Net, 1450), CancellationToken.None);
        var pathA = Path.Combine(_directory, "a.sock");
        using var listenerA = Listen(pathA);
        await _networks.AttachAsync("00000000000a", Net, pathA, CancellationToken.None);
        using var vmA = await AcceptAsync(listenerA);

        await _networks.DeleteAsync(Net, CancellationToken.None);

        var read = await vmA.ReceiveAsync(new byte[4], SocketFlags.None).WaitAsync(Wait);
        Assert.Equal(0, read);
        Assert.Empty(await _networks.ListAsync(CancellationToken.None));
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }

    private static Task<Socket> AcceptAsync(Socket listener) => listener.AcceptAsync().WaitAsync(Wait);

    private static async Task SendAsync(Socket socket, byte[] frame)
    {
        var record = new byte[4 + frame.Length];
        BinaryPrimitives.WriteUInt32BigEndian(record, (uint)frame.Length);
        frame.CopyTo(record, 4);
        await socket.SendAsync(record, SocketFlags.None).WaitAsync(Wait);
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var timeout = new CancellationTokenSource(Wait);
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, timeout.Token);
        var frame = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        await stream.ReadExactlyAsync(frame, timeout.Token);
        return frame;
    }

    private static byte[] Frame(byte[] destination, byte[] source, byte payload)
    {
        var frame = new byte[60];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        frame[12] = 0x08;
        frame[14] = payload;
        return frame;
    }
}
