using System.Diagnostics;
using System.Globalization;
using SkillVL.TestUtilities;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// A TCP listener inside a testbed namespace that answers every connection with a marker line and closes it
/// (<c>busybox nc -ll -p PORT -e /bin/echo MARKER</c>), so a connect attempt proves itself by the marker in its
/// output. <c>ip netns exec</c> execs nc in place: disposing kills that very process.
/// </summary>
internal sealed class TcpListenerInNamespace : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;

    private TcpListenerInNamespace(Process process, int port, string marker)
    {
        _process = process;
        Port = port;
        Marker = marker;
    }

    public int Port { get; }

    public string Marker { get; }

    public static async Task<TcpListenerInNamespace> StartAsync(string @namespace, int port)
    {
        var marker = "hello-from-" + @namespace;
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", @namespace, "busybox", "nc", "-ll", "-p", Invariant(port), "-e", "/bin/echo", marker])
        {
            start.ArgumentList.Add(argument);
        }

        var listener = new TcpListenerInNamespace(Process.Start(start)!, port, marker);
        try
        {
            await Bounded.WaitUntilAsync(
                async () => (await Netns.ExecAsync(@namespace, CommandTimeout, "ss", "-Hltn", $"sport = :{Invariant(port)}")).Contains(Invariant(port), StringComparison.Ordinal),
                TimeSpan.FromSeconds(10),
                $"nc to listen on port {port} in {@namespace}");
            return listener;
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects from <paramref name="from"/> to <paramref name="address"/> with a 3 s connect timeout: whether the marker came back, and what nc said.</summary>
    public async Task<(bool Connected, string Output)> TryConnectAsync(string from, string address)
    {
        var (exitCode, stdout, stderr) = await Netns.RunAsync(from, TimeSpan.FromSeconds(15), "busybox", "nc", "-w", "3", address, Invariant(Port));
        return (stdout.Contains(Marker, StringComparison.Ordinal), $"exit {exitCode}: {stdout.Trim()} {stderr.Trim()}".Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
