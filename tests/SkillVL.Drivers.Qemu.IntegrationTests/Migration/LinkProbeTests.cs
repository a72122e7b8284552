using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Migration.Tunnel;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>
/// The link probe alone, over loopback: a target endpoint and a source measuring against it, real TLS with a test CA.
/// Loopback has no link to speak of, so the figures are only checked for plausibility here; the testbed checks them
/// against an emulated 50 Mbit/s, 40 ms link (MigrationTestbedTests).
/// </summary>
public sealed class LinkProbeTests : IAsyncLifetime
{
    private const string Loopback = "127.0.0.1";
    private readonly string _root = Directory.CreateTempSubdirectory("svl-probe-").FullName;
    private readonly TestNodeCertificates _ca = new();
    private readonly ITestOutputHelper _output;
    private readonly LinkProbes _source;
    private readonly LinkProbes _target;

    public LinkProbeTests(ITestOutputHelper output)
    {
        _output = output;
        var logs = new TestOutputLoggerFactory(output);
        _source = new LinkProbes(TimeProvider.System, logs.CreateLogger<LinkProbes>());
        _target = new LinkProbes(TimeProvider.System, logs.CreateLogger<LinkProbes>());
        _ca.WriteNode(Tls("source"), Loopback);
        _ca.WriteNode(Tls("target"), Loopback);
    }

    [Fact]
    public async Task Probe_OverLoopback_SmallRtt_HighBandwidth_WithinItsTimeBudget_ThenClosed()
    {
        var (port, token) = await _target.OpenAsync("m1", Loopback, Tls("target"), LinkProbes.Lifetime);
        var clock = Stopwatch.StartNew();

        var link = await _source.ProbeAsync(Loopback, port, token, Loopback, Tls("source"), CancellationToken.None);

        _output.WriteLine($"loopback: RTT {link.RoundTripTime.TotalMilliseconds:0.###} ms, {link.Bandwidth.MegabitsPerSecond:0} Mbit/s, probe took {clock.Elapsed.TotalSeconds:0.00} s");
        // Loopback: well under 1 ms idle; CI runs this group beside the integration tests, and a loaded host adds tens of ms.
        Assert.InRange(link.RoundTripTime, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(200));
        // TLS on loopback carries Gbit/s even on a busy 2-core machine; a broken rate computation would not.
        Assert.True(link.Bandwidth.MegabitsPerSecond > 300, $"{link.Bandwidth.MegabitsPerSecond:0} Mbit/s on loopback");
        Assert.Equal(0, link.LossRatio);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the probe took {clock.Elapsed.TotalSeconds:0.0} s");

        await _target.CloseAsync("m1");
        Assert.False(_target.IsOpen("m1"));
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port));
    }

    [Fact]
    public async Task WrongToken_OrACertificateOfAnotherCa_IsRefused()
    {
        var (port, _) = await _target.OpenAsync("m2", Loopback, Tls("target"), LinkProbes.Lifetime);

        var wrongToken = await Assert.ThrowsAsync<DriverException>(
            () => _source.ProbeAsync(Loopback, port, new string('0', 64), Loopback, Tls("source"), CancellationToken.None));
        _output.WriteLine(wrongToken.Message);
        Assert.Contains("refused", wrongToken.Message, StringComparison.Ordinal);

        using var stranger = new TestNodeCertificates("another CA");
        stranger.WriteNode(Tls("stranger"), Loopback);
        var (port3, token3) = await _target.OpenAsync("m3", Loopback, Tls("target"), LinkProbes.Lifetime);
        var foreign = await Assert.ThrowsAsync<DriverException>(
            () => _source.ProbeAsync(Loopback, port3, token3, Loopback, Tls("stranger"), CancellationToken.None));
        _output.WriteLine(foreign.Message);

        // The endpoint still serves its own source.
        Assert.True(_target.IsOpen("m2"));
    }

    [Fact]
    public async Task Endpoint_NobodyComes_ClosesItselfAfterItsLifetime()
    {
        var (port, _) = await _target.OpenAsync("m4", Loopback, Tls("target"), TimeSpan.FromSeconds(1));
        using (await ConnectAsync(port))
        {
            // Open at first, and a connection that never greets does not keep it open.
        }

        var clock = Stopwatch.StartNew();
        while (_target.IsOpen("m4") && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        _output.WriteLine($"closed itself {clock.Elapsed.TotalSeconds:0.00} s after the check");
        Assert.False(_target.IsOpen("m4"));
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>xunit 2 calls a test class's IAsyncLifetime.DisposeAsync, not IAsyncDisposable's: the directory stayed.</summary>
    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _target.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private string Tls(string node) => Path.Combine(_root, node + "-tls");

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(5));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
