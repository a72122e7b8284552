using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu;

namespace SkillVL.Bench;

/// <summary>
/// VM start time with QEMU unprivileged under its seccomp sandbox (ADR 0016, the default) vs root and unconfined (as
/// before), in the same run: two QEMU nodes side by side, starts interleaved (root, confined, root, ...) so both see
/// the same host load. Each start: the driver's StartAsync (disk clone, tap, launch until QMP answers) and then the
/// guest agent's first answer; the tiny guest (128 MiB, 1 vCPU, one NIC), TCG.
/// </summary>
internal static class ConfinementBench
{
    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(90);

    public static async Task<string> RunAsync(string image, int starts)
    {
        var root = Directory.CreateTempSubdirectory("svl-confbench-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
        var modes = new[] { ("root, no sandbox", "", false), ("skillvl-qemu + seccomp", "skillvl-qemu", true) };
        var nodes = new List<(string Name, QemuNode Node, string Network, string Template, List<(double Launch, double Ready)> Runs)>();
        try
        {
            foreach (var (name, user, sandbox) in modes)
            {
                var directory = Path.Combine(root, user.Length == 0 ? "root" : "confined");
                var node = QemuNode.Create(
                    new QemuDriverOptions
                    {
                        DataDirectory = Path.Combine(directory, "data"),
                        RuntimeDirectory = Path.Combine(directory, "run"),
                        InstanceId = "cb" + ShortId.New()[..8],
                        Accelerator = "tcg",
                        RunAsUser = user,
                        Sandbox = sandbox,
                    },
                    NullLoggerFactory.Instance,
                    TimeProvider.System);
                await node.PrepareAsync(CancellationToken.None);
                var template = await node.Templates.ImportAsync(image, CancellationToken.None);
                var network = ShortId.New();
                await node.Networks.EnsureAsync(new NetworkSpec(network, 1450), CancellationToken.None);
                nodes.Add((name, node, network, template.Sha256, []));
            }

            for (var i = 0; i < starts; i++)
            {
                foreach (var (name, node, network, template, runs) in nodes)
                {
                    runs.Add(await StartOnceAsync(node, network, template));
                    Console.Error.WriteLine($"{name} #{i + 1}: launch {runs[^1].Launch:0.000} s, agent {runs[^1].Ready:0.000} s");
                }
            }
        }
        finally
        {
            foreach (var (_, node, network, _, _) in nodes)
            {
                await node.Networks.DeleteAsync(network, CancellationToken.None);
                await node.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, TCG, tiny VM (128 MiB, 1 vCPU, 1 NIC), {starts} starts per mode, interleaved.");
        report.AppendLine();
        report.AppendLine("| QEMU runs as | launch: start call → QMP answers (median s, min–max) | start call → guest agent answers (median s, min–max) |");
        report.AppendLine("|---|---:|---:|");
        foreach (var (name, _, _, _, runs) in nodes)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(runs.Select(r => r.Launch)):0.000} ({runs.Min(r => r.Launch):0.000}–{runs.Max(r => r.Launch):0.000}) | {Median(runs.Select(r => r.Ready)):0.00} ({runs.Min(r => r.Ready):0.00}–{runs.Max(r => r.Ready):0.00}) |");
        }

        return report.ToString();
    }

    private static async Task<(double Launch, double Ready)> StartOnceAsync(QemuNode node, string network, string template)
    {
        var nic = ShortId.New();
        var mac = "52:54:00:" + string.Join(':', Enumerable.Range(0, 3).Select(i => nic.Substring(i * 2, 2)));
        var spec = new VmSpec(
            ShortId.New(), "bench", template, 1, 128L * 1024 * 1024,
            [new NicSpec(nic, network, mac, 1450, null)], "bench");
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await node.Vms.StartAsync(spec, CancellationToken.None);
            var launch = stopwatch.Elapsed.TotalSeconds;
            while (!await node.Vms.GuestPingAsync(spec.Id, TimeSpan.FromSeconds(2), CancellationToken.None))
            {
                if (stopwatch.Elapsed > AgentTimeout)
                {
                    throw new TimeoutException($"the guest agent of {spec.Id} did not answer within {AgentTimeout.TotalSeconds} s");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            return (launch, stopwatch.Elapsed.TotalSeconds);
        }
        finally
        {
            await node.Vms.StopAsync(spec.Id, StopMode.Hard, TimeSpan.Zero, CancellationToken.None);
            await node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
