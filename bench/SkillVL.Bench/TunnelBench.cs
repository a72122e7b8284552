using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent.Tls;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Drivers.Qemu.Migration.Tunnel;
using SkillVL.Server.Pki;

namespace SkillVL.Bench;

/// <summary>
/// What the migration tunnel (ADR 0013) costs and gains on this machine: the same data pushed from one unix socket to
/// another (a stand-in for QEMU on each node) through a pair of <see cref="MigrationTunnels"/> over loopback — real TLS
/// with certificates from the platform CA, real zstd — at zstd levels 1 and 3, against a plain unix-socket copy (the
/// baseline, measured in the same run). The data: the first MiB of the host's /usr files, the corpus the migration
/// benchmark uses. Loopback has no bandwidth limit, so the rate is what the CPU manages: the most a link can be fed.
/// </summary>
public static class TunnelBench
{
    public static async Task<string> RunAsync(int mebibytes)
    {
        var root = Directory.CreateTempSubdirectory("svl-bench-tunnel-").FullName;
        try
        {
            var data = Corpus(mebibytes);
            using var ca = PlatformCertificateAuthority.LoadOrCreate(Path.Combine(root, "ca"), "bench", TimeProvider.System);
            foreach (var node in new[] { "source", "target" })
            {
                await NodeTlsEnrolment.EnsureAsync(
                    new NodeTlsDirectory(Path.Combine(root, node)), node, IPAddress.Loopback, new Issuer(ca, node), TimeProvider.System, CancellationToken.None);
            }

            var rows = new List<(string Name, double Seconds, long Wire)>();
            rows.Add(("plain unix-socket copy (baseline)", await PlainAsync(root, data), data.Length));
            foreach (var level in new[] { 1, 3 })
            {
                var (seconds, wire) = await TunnelAsync(root, data, level);
                rows.Add(($"tunnel, TLS + zstd level {level}", seconds, wire));
            }

            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores: {mebibytes} MiB of the host's /usr files, one connection, loopback.");
            report.AppendLine();
            report.AppendLine("| path | seconds | MiB/s of data | Mbit/s of data | bytes on the wire | ratio |");
            report.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, seconds, wire) in rows)
            {
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {seconds:0.00} | {data.Length / 1048576.0 / seconds:0} | {data.Length * 8.0 / 1e6 / seconds:0} | {wire / 1048576.0:0.0} MiB | {(double)data.Length / wire:0.00} |");
            }

            return report.ToString();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static byte[] Corpus(int mebibytes)
    {
        var wanted = mebibytes << 20;
        var data = new byte[wanted];
        var filled = 0;
        foreach (var file in CorpusTemplate.CorpusFiles())
        {
            using var stream = File.OpenRead(file);
            int read;
            while (filled < wanted && (read = stream.Read(data, filled, wanted - filled)) > 0)
            {
                filled += read;
            }

            if (filled == wanted)
            {
                break;
            }
        }

        return data;
    }

    /// <summary>The baseline: a sink on a unix socket, written to directly.</summary>
    private static async Task<double> PlainAsync(string root, byte[] data)
    {
        var path = Path.Combine(root, "plain.sock");
        using var sink = Sink.Start(path);
        var clock = Stopwatch.StartNew();
        await SendAsync(path, data);
        await sink.Done.WaitAsync(TimeSpan.FromMinutes(5));
        return Check(clock, sink, data);
    }

    private static async Task<(double Seconds, long Wire)> TunnelAsync(string root, byte[] data, int level)
    {
        var path = Path.Combine(root, $"target-{level}.sock");
        using var sink = Sink.Start(path);
        await using var source = new MigrationTunnels(NullLogger<MigrationTunnels>.Instance);
        await using var target = new MigrationTunnels(NullLogger<MigrationTunnels>.Instance);
        var endpoint = await target.OpenIncomingAsync(
            "bench", "127.0.0.1", new Dictionary<string, string> { [MigrationTunnels.RamChannel] = path }, level, Path.Combine(root, "target", "tls"));
        await source.OpenOutgoingAsync(
            "bench", "127.0.0.1", endpoint.Port, endpoint.Token, "127.0.0.1", root, level, Path.Combine(root, "source", "tls"));
        var clock = Stopwatch.StartNew();
        await SendAsync(MigrationTunnels.OutgoingSocket(root, MigrationTunnels.RamChannel), data);
        await sink.Done.WaitAsync(TimeSpan.FromMinutes(5));
        var seconds = Check(clock, sink, data);
        return (seconds, source.OutgoingCounters("bench")!.WireSent);
    }

    private static double Check(Stopwatch clock, Sink sink, byte[] data)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        if (sink.Received != data.Length)
        {
            throw new InvalidOperationException($"the sink received {sink.Received} of {data.Length} bytes");
        }

        return seconds;
    }

    private static async Task SendAsync(string path, byte[] data)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        for (var offset = 0; offset < data.Length; offset += 1 << 20)
        {
            await socket.SendAsync(data.AsMemory(offset, Math.Min(1 << 20, data.Length - offset)), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads one connection to its end and counts the bytes.</summary>
    private sealed class Sink : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public long Received { get; private set; }

        public Task Done { get; private set; } = Task.CompletedTask;

        public static Sink Start(string path)
        {
            var sink = new Sink();
            sink._listener.Bind(new UnixDomainSocketEndPoint(path));
            sink._listener.Listen(1);
            sink.Done = sink.ReadAsync();
            return sink;
        }

        public void Dispose() => _listener.Dispose();

        private async Task ReadAsync()
        {
            using var connection = await _listener.AcceptAsync();
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                Received += read;
            }
        }
    }

    private sealed class Issuer(PlatformCertificateAuthority ca, string node) : INodeCertificateIssuer
    {
        public Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ca.CertificatePem);

        public Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken)
        {
            using var certificate = ca.Issue(csrPem, node, IPAddress.Loopback);
            return Task.FromResult(new NodeTlsCalls.Issued(certificate.ExportCertificatePem(), ca.CertificatePem));
        }
    }
}
