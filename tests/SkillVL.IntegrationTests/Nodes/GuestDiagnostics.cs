using System.Text;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// What a test prints when a guest on a testbed node stops answering: the end of its serial console (kernel oopses) and
/// whether its QEMU spins or sleeps. Not QMP: the node's driver holds the VM's only QMP connection.
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
        }

        return text.ToString();
    }

    private static long CpuTicks(string pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
