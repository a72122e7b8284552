using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// A TLS server tool a test starts on a free loopback port (qemu-nbd as a migration target's NBD export,
/// gnutls-serv); its output is kept for assertions. Disposing kills exactly that pid.
/// </summary>
public sealed class LoopbackTlsServer : IDisposable
{
    public static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _log = [];

    private LoopbackTlsServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the tool printed so far (stdout and stderr).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts <paramref name="tool"/> with the arguments for a port and waits until it accepts connections.</summary>
    public static async Task<LoopbackTlsServer> StartAsync(string tool, Func<string, IEnumerable<string>> arguments)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments(port.ToString(CultureInfo.InvariantCulture)))
        {
            start.ArgumentList.Add(argument);
        }

        var server = new LoopbackTlsServer(Process.Start(start)!, port);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await Bounded.WaitUntilAsync(server.AcceptsAsync, ToolTimeout, $"{tool} to listen on port {port}");
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>
    /// qemu-nbd serving <paramref name="disk"/> read-only over TLS with the node credentials in
    /// <paramref name="tlsDirectory"/> as the TLS server, requiring a client certificate — a migration target's export.
    /// </summary>
    public static Task<LoopbackTlsServer> StartNbdTargetAsync(string tlsDirectory, string disk) =>
        StartAsync("qemu-nbd", port =>
        [
            "--object", $"tls-creds-x509,id=tls0,endpoint=server,verify-peer=on,dir={tlsDirectory}",
            "--tls-creds", "tls0", "--bind", "127.0.0.1", "--port", port,
            "--persistent", "--shared", "4", "--read-only", "--format", "raw", disk,
        ]);

    /// <summary>
    /// qemu-img reads the export as the TLS client with the credentials in <paramref name="tlsDirectory"/>, checking
    /// the target's certificate for <paramref name="hostname"/> — a migration source's view.
    /// </summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> ReadOverNbdAsync(string tlsDirectory, string hostname, string extraCredentialOptions = "") =>
        HostTools.RunAsync(
            "qemu-img",
            [
                "info", "--object", $"tls-creds-x509,id=tls0,endpoint=client,dir={tlsDirectory}{extraCredentialOptions}",
                "--image-opts", $"driver=nbd,server.type=inet,server.host=127.0.0.1,server.port={Port},tls-creds=tls0,tls-hostname={hostname}",
            ],
            ToolTimeout);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task<bool> AcceptsAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode} before listening:\n{Log}");
        }

        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }
}
