using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Testbed;
using SkillVL.Testbed.Planning;

namespace SkillVL.Bench;

/// <summary>
/// Multi-node figures (issue 5) on a 3-node testbed (network namespaces, one agent each, one underlay bridge):
/// (1) time for a 10-VM room to be ready, spread over 3 nodes vs all on one node (the baseline, same run);
/// (2) the overlay's cost: TCP throughput (iperf3) and RTT (ping) between two endpoints on a room network across
/// nodes (bridge → VXLAN → underlay → VXLAN → bridge) vs on the same node (bridge only). The tiny guest has no
/// iperf3, so the endpoints are probe namespaces plugged into the room's bridges with veths (MTU 1450, like a
/// guest NIC) — the path a guest's frames take, minus the tap.
/// </summary>
public static class MultiNodeBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<string> RunAsync(string image)
    {
        await using var server = await EmbeddedServer.StartAsync("mn", image);
        var state = Path.Combine(server.Root, "testbed");
        var testbed = new TestbedController(TextWriter.Null);
        var probes = new List<string>();
        var http = server.Client;
        var report = new StringBuilder();
        var (prefix, subnet) = await FreeHostNames.PickAsync("svlbn", 60, 159, CancellationToken.None);
        try
        {
            await testbed.UpAsync(
                new UpRequest
                {
                    Nodes = 3,
                    Prefix = prefix,
                    Subnet = subnet,
                    StateDirectory = state,
                    Server = "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"),
                    AdminToken = server.AdminToken,
                    AgentCommand = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"),
                },
                CancellationToken.None);
            await WaitAsync(async () => (await http.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, Json))!.Count(n => n.Name.StartsWith("node", StringComparison.Ordinal) && n.State == "ready") == 3, "3 nodes");
            // The embedded node takes nothing: only the testbed's nodes count here.
            (await http.PostAsync(ApiPaths.Nodes + "/local/drain", null)).EnsureSuccessStatusCode();

            // Warm every node's template store first (a node fetches the template once), so the figures are the room's.
            var warm = await ApplyAsync(http, Room("warm", 3, i => $"node{i + 1}"));
            await DeleteAsync(http, "warm");
            Console.WriteLine($"warm-up (template fetch to 3 nodes + 3 boots): {warm:0.00} s");

            var rows = new List<(string Layout, double Seconds)>();
            for (var run = 1; run <= 2; run++)
            {
                var one = await ApplyAsync(http, Room($"one{run}", 10, _ => "node1"));
                await DeleteAsync(http, $"one{run}");
                var spread = await ApplyAsync(http, Room($"spread{run}", 10, _ => null));
                await DeleteAsync(http, $"spread{run}");
                rows.Add(("one node", one));
                rows.Add(("spread over 3 nodes", spread));
                Console.WriteLine(FormattableString.Invariant($"run {run}: 10 VMs on one node {one:0.00} s, spread over 3 nodes {spread:0.00} s"));
            }

            // Overlay cost, on a 2-machine room across node1 and node2 (its bridges exist on both).
            await ApplyAsync(http, Room("probe", 2, i => $"node{i + 1}"));
            var room = (await http.GetFromJsonAsync<RoomDetails>(ApiPaths.Room("probe"), Json))!;
            var bridge = "svb" + room.Networks[0].Id;
            probes.Add(await ProbeAsync($"{prefix}-node1", bridge, prefix + "p1", "10.0.0.201"));
            probes.Add(await ProbeAsync($"{prefix}-node1", bridge, prefix + "p2", "10.0.0.202"));
            probes.Add(await ProbeAsync($"{prefix}-node2", bridge, prefix + "p3", "10.0.0.203"));
            var same = await MeasureAsync(probes[0], probes[1], "10.0.0.202");
            var across = await MeasureAsync(probes[0], probes[2], "10.0.0.203");
            await DeleteAsync(http, "probe");

            var baseline = rows.Where(r => r.Layout == "one node").Average(r => r.Seconds);
            report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, TCG, a 3-node testbed (namespaces + agents on this machine), tiny VMs of 128 MiB, 2 runs each.");
            report.AppendLine();
            report.AppendLine("| 10-VM room | ready (mean s) | ratio to all on one node |");
            report.AppendLine("|---|---:|---:|");
            foreach (var layout in rows.GroupBy(r => r.Layout))
            {
                var mean = layout.Average(r => r.Seconds);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {layout.Key} | {mean:0.00} | {mean / baseline:0.00} |");
            }

            report.AppendLine();
            report.AppendLine("| path on the room network | TCP throughput (iperf3, Mbit/s) | RTT (ping avg, ms) |");
            report.AppendLine("|---|---:|---:|");
            report.AppendLine(CultureInfo.InvariantCulture, $"| same node (bridge) | {same.Mbits:0} | {same.RttMs:0.000} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| across nodes (bridge → VXLAN → underlay) | {across.Mbits:0} | {across.RttMs:0.000} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| ratio across / same | {across.Mbits / same.Mbits:0.00} | {across.RttMs / same.RttMs:0.00} |");
            return report.ToString();
        }
        finally
        {
            foreach (var probe in probes)
            {
                await RunAsync("ip", "netns", "del", probe);
            }

            await testbed.DownAsync(state, CancellationToken.None);
        }
    }

    private static string Room(string name, int machines, Func<int, string?> node)
    {
        var doc = new StringBuilder($"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nnetworks: [{{ name: lan, cidr: 10.0.0.0/24 }}]\nmachines:\n");
        for (var i = 0; i < machines; i++)
        {
            var placement = node(i) is { } n ? $", node: {n}" : "";
            doc.Append(CultureInfo.InvariantCulture, $"  - {{ name: vm{i}, template: tiny, memory: 128Mi{placement}, nics: [{{ network: lan, ip: 10.0.0.{10 + i} }}] }}\n");
        }

        return doc.ToString();
    }

    private static async Task<double> ApplyAsync(HttpClient http, string yaml)
    {
        var clock = Stopwatch.StartNew();
        using var put = await http.PostAsync(ApiPaths.Rooms, new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        if (!put.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await put.Content.ReadAsStringAsync());
        }

        var task = (await put.Content.ReadFromJsonAsync<TaskInfo>(Json))!;
        while (!TaskStates.IsFinal(task.State))
        {
            await Task.Delay(100);
            task = (await http.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(task.Id), Json))!;
        }

        return task.State == TaskStates.Succeeded ? clock.Elapsed.TotalSeconds : throw new InvalidOperationException(task.Outcome);
    }

    private static async Task DeleteAsync(HttpClient http, string room)
    {
        using var del = await http.DeleteAsync(ApiPaths.Room(room));
        var task = (await del.Content.ReadFromJsonAsync<TaskInfo>(Json))!;
        while (!TaskStates.IsFinal(task.State))
        {
            await Task.Delay(200);
            task = (await http.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(task.Id), Json))!;
        }
    }

    /// <summary>A namespace "NAME-ns" with a veth into the node's room bridge, addressed on the room network.</summary>
    private static async Task<string> ProbeAsync(string nodeNamespace, string bridge, string name, string address)
    {
        var ns = name + "-ns";
        await RunAsync("ip", "netns", "add", ns);
        await RunAsync("ip", "-n", nodeNamespace, "link", "add", name, "mtu", "1450", "type", "veth", "peer", "name", "eth0", "netns", ns);
        await RunAsync("ip", "-n", nodeNamespace, "link", "set", name, "master", bridge, "up");
        await RunAsync("ip", "-n", ns, "link", "set", "eth0", "mtu", "1450", "up");
        await RunAsync("ip", "-n", ns, "link", "set", "lo", "up");
        await RunAsync("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        return ns;
    }

    private static async Task<(double Mbits, double RttMs)> MeasureAsync(string client, string server, string address)
    {
        var iperf = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", server, "iperf3", "-s", "-1"]) { RedirectStandardOutput = true })!;
        await Task.Delay(500);
        var result = await RunAsync("ip", "netns", "exec", client, "iperf3", "-c", address, "-t", "5", "-O", "1", "-J");
        await iperf.WaitForExitAsync();
        using var json = JsonDocument.Parse(result);
        var bits = json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        var ping = await RunAsync("ip", "netns", "exec", client, "ping", "-c", "20", "-i", "0.1", "-q", address);
        var rtt = double.Parse(ping.Split("= ")[^1].Split('/')[1], CultureInfo.InvariantCulture);
        return (bits / 1e6, rtt);
    }

    private static async Task<string> RunAsync(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{string.Join(' ', command)}: {error}");
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException("waiting for " + what);
            }

            await Task.Delay(250);
        }
    }

}
