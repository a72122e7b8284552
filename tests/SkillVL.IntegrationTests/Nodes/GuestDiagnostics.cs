using System.Net.Sockets;
using System.Text;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// What a test prints when a guest on a testbed node stops answering: the end of its serial console (kernel messages:
/// lockups, clocksource changes) and what its QEMU says of it over QMP (run state, vCPUs).
/// </summary>
internal static class GuestDiagnostics
{
    public static async Task<string> DescribeAsync(string testbedState, string vmId)
    {
        var text = new StringBuilder();
        foreach (var directory in Directory.GetDirectories(testbedState, vmId, SearchOption.AllDirectories))
        {
            text.AppendLine($"--- {directory}");
            var serial = Path.Combine(directory, "serial.log");
            if (File.Exists(serial))
            {
                text.AppendLine("serial.log (tail):").AppendLine(string.Join('\n', File.ReadLines(serial).TakeLast(40)));
            }

            var pidFile = Path.Combine(directory, "qemu.pid");
            if (File.Exists(pidFile))
            {
                // Whether the guest spins or sleeps: QEMU's CPU time over two seconds (utime + stime, clock ticks).
                var pid = File.ReadAllText(pidFile).Trim();
                var before = CpuTicks(pid);
                await Task.Delay(TimeSpan.FromSeconds(2));
                text.AppendLine($"QEMU {pid}: {CpuTicks(pid) - before} CPU ticks in 2 s");
            }

            var qmp = Path.Combine(directory, "qmp.sock");
            if (File.Exists(qmp))
            {
                try
                {
                    text.AppendLine("QMP: " + await QmpAsync(qmp, "query-status", "query-cpus-fast"));
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
                {
                    text.AppendLine($"QMP: {e.Message}");
                }
            }
        }

        return text.ToString();
    }

    private static long CpuTicks(string pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> QmpAsync(string socketPath, params string[] commands)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), limit.Token);
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await reader.ReadLineAsync(limit.Token); // greeting
        var replies = new StringBuilder();
        foreach (var command in new[] { "qmp_capabilities" }.Concat(commands))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"execute\":\"{command}\"}}\n"), limit.Token);
            string? line;
            do
            {
                line = await reader.ReadLineAsync(limit.Token);
            }
            while (line is not null && line.Contains("\"event\"", StringComparison.Ordinal));

            if (command != "qmp_capabilities")
            {
                replies.Append(command).Append(": ").AppendLine(line);
            }
        }

        return replies.ToString();
    }
}
