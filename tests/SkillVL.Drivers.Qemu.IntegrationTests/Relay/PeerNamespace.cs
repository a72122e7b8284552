using SkillVL.Core.Identifiers;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// A guest without QEMU: a network namespace "svlx-&lt;rand&gt;-peer" whose eth0 is a veth whose other end, "svlxp&lt;rand&gt;"
/// in this host's namespace, is a port of a bridge of a QEMU test node (like a VM's tap). Cheap beside TCG guests on a
/// 2-core machine. Dispose deletes the namespace, and with it both ends of the veth.
/// </summary>
public sealed class PeerNamespace : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;
    private bool _deleted;

    private PeerNamespace(ITestOutputHelper output, string name)
    {
        _output = output;
        Name = name;
    }

    public string Name { get; }

    public static async Task<PeerNamespace> CreateAsync(ITestOutputHelper output, string bridge, string cidrAddress)
    {
        HostTools.RequireTool("ping", "iputils-ping");
        var suffix = ShortId.New()[..6];
        var peer = new PeerNamespace(output, $"svlx-{suffix}-peer");
        var port = "svlxp" + suffix;
        try
        {
            await RunAsync("ip", "netns", "add", peer.Name);
            await RunAsync("ip", "-n", peer.Name, "link", "set", "dev", "lo", "up");
            await RunAsync("ip", "link", "add", port, "mtu", "1450", "type", "veth", "peer", "name", "eth0", "mtu", "1450", "netns", peer.Name);
            await RunAsync("sysctl", "-q", "-w", $"net.ipv6.conf.{port}.disable_ipv6=1");
            await RunAsync("ip", "link", "set", "dev", port, "master", bridge, "up");
            await RunAsync("ip", "-n", peer.Name, "addr", "add", cidrAddress, "dev", "eth0");
            await RunAsync("ip", "-n", peer.Name, "link", "set", "dev", "eth0", "up");
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Pings <paramref name="address"/> from the namespace (a few tries: the first may be lost to ARP).</summary>
    public async Task AssertPingsAsync(string address)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync(
            "ip", ["netns", "exec", Name, "ping", "-n", "-c", "3", "-W", "2", address], ToolTimeout);
        _output.WriteLine($"[{Name}] ping {address} -> {exitCode}\n{(stdout + stderr).Trim()}");
        Assert.True(exitCode == 0, stdout + stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (_deleted)
        {
            return;
        }

        _deleted = true;
        var (exitCode, _, stderr) = await HostTools.RunAsync("ip", ["netns", "del", Name], ToolTimeout);
        if (exitCode != 0 && !stderr.Contains("No such file", StringComparison.Ordinal))
        {
            _output.WriteLine($"ip netns del {Name} failed: {stderr.Trim()}");
        }
    }

    private static async Task RunAsync(string fileName, params string[] arguments)
    {
        var (exitCode, _, stderr) = await HostTools.RunAsync(fileName, arguments, ToolTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({exitCode}): {stderr.Trim()}");
        }
    }
}
