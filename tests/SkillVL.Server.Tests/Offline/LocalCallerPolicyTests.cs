using System.Net.Sockets;
using SkillVL.Agent.Local;

namespace SkillVL.Server.Tests.Offline;

public sealed class LocalCallerPolicyTests
{
    [Theory]
    [InlineData(0u, null, true)]
    [InlineData(0u, 1000u, true)]
    [InlineData(1000u, 1000u, true)]
    [InlineData(1000u, null, false)]
    [InlineData(1001u, 1000u, false)]
    [InlineData(65534u, 1000u, false)]
    public void IsAllowed_RootAndTheOwnerOnly(uint caller, uint? owner, bool allowed) =>
        Assert.Equal(allowed, LocalCallerPolicy.IsAllowed(caller, owner));

    [Fact]
    public async Task PeerCredentials_OfAUnixSocketConnection_AreTheConnectingProcess()
    {
        var path = Path.Combine(Path.GetTempPath(), $"skillvl-peercred-{Guid.NewGuid():N}.sock");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            using var accepted = await listener.AcceptAsync(timeout.Token);

            var (pid, uid, _) = PeerCredentials.Of(accepted);

            Assert.Equal(Environment.ProcessId, pid);
            Assert.Equal(uint.Parse(File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture), uid);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
