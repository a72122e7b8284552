using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.IntegrationTests.Migration;
using SkillVL.Drivers.Qemu.IntegrationTests.Overlay;
using SkillVL.Drivers.Qemu.Networking.Relay;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// Two simulated nodes of <see cref="TwoNodeUnderlay"/> as a relay hub ("hub", n1, 198.18.1.1) and a client node
/// ("laptop", n2, 198.18.1.2), each with a node certificate from one throw-away CA that names the node and its address,
/// as the platform CA does (ADR 0011).
/// </summary>
public sealed class RelayBed : IAsyncDisposable
{
    public const string HubName = "hub";
    public const string ClientName = "laptop";

    /// <summary>Any port: the listener is inside the hub's namespace, so it collides with nothing on the host.</summary>
    public const int Port = 17470;

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    private RelayBed(ITestOutputHelper output, TwoNodeUnderlay underlay, TestNodeCertificates certificates)
    {
        _output = output;
        Underlay = underlay;
        Certificates = certificates;
    }

    public TwoNodeUnderlay Underlay { get; }

    public TestNodeCertificates Certificates { get; }

    public SimulatedNode Hub => Underlay.N1;

    public SimulatedNode Client => Underlay.N2;

    public static async Task<RelayBed> CreateAsync(ITestOutputHelper output)
    {
        HostTools.RequireTool("ss", "iproute2");
        var underlay = await TwoNodeUnderlay.CreateAsync(output);
        var certificates = new TestNodeCertificates();
        try
        {
            certificates.WriteNode(underlay.N1.TlsDirectory, underlay.N1.UnderlayAddress, HubName);
            certificates.WriteNode(underlay.N2.TlsDirectory, underlay.N2.UnderlayAddress, ClientName);
            return new RelayBed(output, underlay, certificates);
        }
        catch
        {
            certificates.Dispose();
            await underlay.DisposeAsync();
            throw;
        }
    }

    /// <summary>The hub's spec of <paramref name="networkId"/>: relayed for <paramref name="clients"/>, no VXLAN peer.</summary>
    public NetworkSpec HubSpec(string networkId, params string[] clients) =>
        new(networkId, TwoNodeUnderlay.GuestMtu, RelayHub: new NetworkRelayHub(Hub.UnderlayAddress, Port, clients));

    public NetworkSpec ClientSpec(string networkId) =>
        new(networkId, TwoNodeUnderlay.GuestMtu, Relay: new NetworkRelay(Hub.UnderlayAddress, Port, HubName));

    /// <summary>Polls the client's link of <paramref name="networkId"/> until <paramref name="condition"/> holds (bounded).</summary>
    public async Task<RelayLinkStatus> WaitForClientAsync(string networkId, Func<RelayLinkStatus, bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (true)
        {
            var status = Client.Relays.ClientStatus(networkId) ?? throw new InvalidOperationException($"no relay link for {networkId}");
            if (condition(status))
            {
                _output.WriteLine($"{what}: connected={status.Connected} connects={status.Counters.Connects} failures={status.Counters.Failures} last error={status.LastError}");
                return status;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not within {WaitLimit.TotalSeconds} s (connected={status.Connected}, last error={status.LastError})");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The listening TCP sockets inside a node's namespace (<c>ss -Hltn</c>), one line each.</summary>
    public async Task<IReadOnlyList<string>> ListeningTcpAsync(SimulatedNode node)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["netns", "exec", node.Namespace, "ss", "-Hltn"], TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _output.WriteLine($"[{node.Namespace}] ss -Hltn: {(lines.Length == 0 ? "(nothing listens)" : string.Join(" | ", lines))}");
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await Underlay.DisposeAsync();
        Certificates.Dispose();
    }
}
