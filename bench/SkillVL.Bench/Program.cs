using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Server.Host;

// Room start benchmark (issue 2): time from `room apply` to every VM's guest agent answering (task
// succeeded = agents answered and addresses applied), for rooms of 1, 5 and 10 tiny VMs under the configured
// accelerator, and the RSS of each QEMU process beyond its guest RAM. Baseline, measured in the same run:
// the 1-VM room (one guest boot, nothing in parallel). Usage (root):
//   dotnet run -c Release --project bench/SkillVL.Bench -- [--sizes 1,5,10] [--repeat 2] [--image DIR] [--out FILE]
//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite auth [--requests 3000] [--out FILE]
//     token validation overhead and API throughput with auth on vs off (issue 3), see AuthBench.
if (Arg("--suite", "rooms") == "auth")
{
    var authReport = await SkillVL.Bench.AuthBench.RunAsync(
        int.Parse(Arg("--requests", "3000"), CultureInfo.InvariantCulture), 8, TimeSpan.FromSeconds(5));
    Console.WriteLine(authReport);
    if (Arg("--out", "") is { Length: > 0 } authOut)
    {
        File.WriteAllText(authOut, authReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite console [--keys 300] [--out FILE]
//     keystroke-to-echo latency on a serial console through the gateway vs directly (issue 4).
if (Arg("--suite", "rooms") == "console")
{
    var consoleReport = await SkillVL.Bench.ConsoleBench.RunAsync(
        Arg("--image", Path.GetFullPath(".build/images/tiny")), int.Parse(Arg("--keys", "300"), CultureInfo.InvariantCulture));
    Console.WriteLine(consoleReport);
    if (Arg("--out", "") is { Length: > 0 } consoleOut)
    {
        File.WriteAllText(consoleOut, consoleReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite confinement [--starts 5] [--out FILE]
//     VM start time with QEMU unprivileged under seccomp vs root and unconfined, same run (issue 11), see ConfinementBench.
if (Arg("--suite", "rooms") == "confinement")
{
    var confinementReport = await SkillVL.Bench.ConfinementBench.RunAsync(
        Arg("--image", Path.GetFullPath(".build/images/tiny")), int.Parse(Arg("--starts", "5"), CultureInfo.InvariantCulture));
    Console.WriteLine(confinementReport);
    if (Arg("--out", "") is { Length: > 0 } confinementOut)
    {
        File.WriteAllText(confinementOut, confinementReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite multinode [--out FILE]
//     a 10-VM room spread over a 3-node testbed vs on one node, and the VXLAN overlay's cost (issue 5).
if (Arg("--suite", "rooms") == "multinode")
{
    var multiReport = await SkillVL.Bench.MultiNodeBench.RunAsync(Arg("--image", Path.GetFullPath(".build/images/tiny")));
    Console.WriteLine(multiReport);
    if (Arg("--out", "") is { Length: > 0 } multiOut)
    {
        File.WriteAllText(multiOut, multiReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite migration [--bandwidths 20,50,100] [--dirty 5,20,50]
//       [--dirty-link 50] [--overlay-mib 1024] [--base-mib 1280] [--ram-fill-mib 256] [--systems baseline,skillvl] [--out FILE]
//     baseline (full disk mirror + QEMU's default pre-copy, as Proxmox's qm migrate --online --with-local-disks) vs
//     SkillVL's engine, server node → client node over the emulated WAN link (issue 6), see MigrationBench; the sizes
//     are MigrationBenchOptions (defaults: the VM), smaller ones make a quick run.
if (Arg("--suite", "rooms") == "migration")
{
    static int[] List(string text) => text.Length == 0 ? [] : text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    int MiB(string name, int fallback) => Arg(name, "") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
    var defaults = new SkillVL.Bench.MigrationBenchOptions();
    var migrationOptions = defaults with
    {
        OverlayMiB = MiB("--overlay-mib", defaults.OverlayMiB),
        BaseMiB = MiB("--base-mib", defaults.BaseMiB),
        RamFillMiB = MiB("--ram-fill-mib", defaults.RamFillMiB),
        Bandwidths = List(Arg("--bandwidths", string.Join(',', defaults.Bandwidths))),
        DirtyRates = List(Arg("--dirty", string.Join(',', defaults.DirtyRates))),
        DirtyLinkMbit = MiB("--dirty-link", defaults.DirtyLinkMbit),
        Systems = Arg("--systems", string.Join(',', defaults.Systems)).Split(',', StringSplitOptions.RemoveEmptyEntries),
    };
    var migrationReport = await SkillVL.Bench.MigrationBench.RunAsync(Arg("--image", Path.GetFullPath(".build/images/tiny")), migrationOptions);
    Console.WriteLine(migrationReport);
    if (Arg("--out", "") is { Length: > 0 } migrationOut)
    {
        File.WriteAllText(migrationOut, migrationReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite checkout [--bandwidths 25,50] [--rtt 40] [--base-mib 512]
//       [--history-mib 1024] [--change-percent 5] [--ram-mib 512] [--ram-fill-mib 256] [--throughput-mib 48] [--net-mib 16] [--out FILE]
//     check-out (template not cached and cached), sync (bytes, the guest's dd with and without it), check-in vs a full move
//     back, and the room network relay vs VXLAN, for a client behind NAT (issue 12), see CheckoutBench.
if (Arg("--suite", "rooms") == "checkout")
{
    var d = new SkillVL.Bench.CheckoutBenchOptions();
    int Int(string name, int fallback) => Arg(name, "") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
    var checkoutOptions = d with
    {
        Bandwidths = Arg("--bandwidths", "") is { Length: > 0 } rates ? rates.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : d.Bandwidths,
        RttMs = Int("--rtt", d.RttMs),
        BaseMiB = Int("--base-mib", d.BaseMiB),
        HistoryMiB = Int("--history-mib", d.HistoryMiB),
        ChangePercent = Arg("--change-percent", "") is { Length: > 0 } pct ? double.Parse(pct, CultureInfo.InvariantCulture) : d.ChangePercent,
        RamMiB = Int("--ram-mib", d.RamMiB),
        RamFillMiB = Int("--ram-fill-mib", d.RamFillMiB),
        ThroughputMiB = Int("--throughput-mib", d.ThroughputMiB),
        NetMiB = Int("--net-mib", d.NetMiB),
    };
    try
    {
        checkoutOptions.Validate(osMiB: 0);
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        Environment.Exit(2);
    }

    var (_, checkoutReport) = await SkillVL.Bench.CheckoutBench.RunAsync(Arg("--image", Path.GetFullPath(".build/images/tiny")), checkoutOptions, Console.Out);
    Console.WriteLine(checkoutReport);
    if (Arg("--out", "") is { Length: > 0 } checkoutOut)
    {
        File.WriteAllText(checkoutOut, checkoutReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite tunnel [--mib 256] [--out FILE]
//     the migration tunnel's throughput and ratio (TLS + zstd 1 and 3) vs a plain unix-socket copy (ADR 0013), see TunnelBench.
if (Arg("--suite", "rooms") == "tunnel")
{
    var tunnelReport = await SkillVL.Bench.TunnelBench.RunAsync(int.Parse(Arg("--mib", "256"), CultureInfo.InvariantCulture));
    Console.WriteLine(tunnelReport);
    if (Arg("--out", "") is { Length: > 0 } tunnelOut)
    {
        File.WriteAllText(tunnelOut, tunnelReport);
    }

    return;
}

//   dotnet run -c Release --project bench/SkillVL.Bench -- --suite web [--runs 5] [--machines 50] [--out FILE]
//     SPA first load (bytes, time to interactive, cold and warm cache) and designer responsiveness with a large
//     topology in headless Chromium (issue 4), see WebBench and web/e2e/bench.mjs.
if (Arg("--suite", "rooms") == "web")
{
    var webReport = await SkillVL.Bench.WebBench.RunAsync(
        Path.GetFullPath("."), int.Parse(Arg("--runs", "5"), CultureInfo.InvariantCulture), int.Parse(Arg("--machines", "50"), CultureInfo.InvariantCulture));
    Console.WriteLine(webReport);
    if (Arg("--out", "") is { Length: > 0 } webOut)
    {
        File.WriteAllText(webOut, webReport);
    }

    return;
}

var sizes = Arg("--sizes", "1,5,10").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var repeat = int.Parse(Arg("--repeat", "2"), CultureInfo.InvariantCulture);
var image = Arg("--image", Path.GetFullPath(".build/images/tiny"));
var output = Arg("--out", "");
var root = Path.Combine("/tmp", "svl-bench-" + Guid.NewGuid().ToString("N")[..6]);
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
var port = FreePort();
var app = ServerHost.Build(["--Logging:LogLevel:Default=Warning"], o =>
{
    o.DataDirectory = Path.Combine(root, "data");
    o.RuntimeDirectory = Path.Combine(root, "run");
    o.Listen = $"http://127.0.0.1:{port}";
    o.CliConfigPath = "";
    o.Accelerator = "tcg";
    o.TemplateSources = [image];
    o.ReconcileBusyInterval = TimeSpan.FromMilliseconds(250);
});
await app.StartAsync();
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(root, "data", "admin-token")).Trim());

var rows = new List<(int Vms, int Run, double Total, double Spawn, double Boot, double RssOverheadMiB, double RssMiB)>();
try
{
    foreach (var size in sizes)
    {
        for (var run = 1; run <= repeat; run++)
        {
            var name = $"bench-{size}-{run}";
            var doc = new StringBuilder($"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nnetworks: [{{ name: lan, cidr: 10.0.0.0/24 }}]\nmachines:\n");
            for (var i = 0; i < size; i++)
            {
                doc.Append(CultureInfo.InvariantCulture, $"  - {{ name: vm{i}, template: tiny, memory: 128Mi, nics: [{{ network: lan, ip: 10.0.0.{10 + i} }}] }}\n");
            }

            var clock = Stopwatch.StartNew();
            using var put = await http.PutAsync($"/api/v1/rooms/{name}", new StringContent(doc.ToString(), Encoding.UTF8, "application/yaml"));
            put.EnsureSuccessStatusCode();
            var task = (await put.Content.ReadFromJsonAsync<TaskInfo>(json))!;
            while (!TaskStates.IsFinal(task.State))
            {
                await Task.Delay(100);
                task = (await http.GetFromJsonAsync<TaskInfo>($"/api/v1/tasks/{task.Id}", json))!;
            }

            var total = clock.Elapsed.TotalSeconds;
            if (task.State != TaskStates.Succeeded)
            {
                throw new InvalidOperationException($"{name}: {task.Outcome}");
            }

            // From the task log: when the last VM was spawned, and when the last guest answered.
            var t0 = task.CreatedAt;
            var spawn = task.Log.Where(l => l.Message.Contains("VM started", StringComparison.Ordinal)).Max(l => (l.Timestamp - t0).TotalSeconds);
            var boot = task.Log.Where(l => l.Message.Contains("guest agent answered", StringComparison.Ordinal)).Max(l => (l.Timestamp - t0).TotalSeconds);
            var rss = RssOfQemuUnder(Path.Combine(root, "run"));
            var overhead = rss.Average() - 128;
            rows.Add((size, run, total, spawn, boot, overhead, rss.Average()));
            Console.WriteLine(FormattableString.Invariant($"{size,2} VMs run {run}: ready in {total:0.00} s (last spawn {spawn:0.00} s, last agent {boot:0.00} s), QEMU RSS {rss.Average():0} MiB/VM ({overhead:0} MiB beyond guest RAM)"));

            using var del = await http.DeleteAsync($"/api/v1/rooms/{name}");
            var deleting = (await del.Content.ReadFromJsonAsync<TaskInfo>(json))!;
            while (!TaskStates.IsFinal(deleting.State))
            {
                await Task.Delay(200);
                deleting = (await http.GetFromJsonAsync<TaskInfo>($"/api/v1/tasks/{deleting.Id}", json))!;
            }
        }
    }
}
finally
{
    await app.StopAsync();
    Directory.Delete(root, recursive: true);
}

var baseline = rows.Where(r => r.Vms == sizes.Min()).Average(r => r.Total);
var report = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, accelerator tcg, tiny VMs of 128 MiB, {repeat} run(s) each.")
    .AppendLine()
    .AppendLine("| VMs in room | ready (median s) | ratio to 1-VM baseline | last VM spawned (s) | last guest agent answered (s) | QEMU RSS per VM (MiB) | RSS beyond guest RAM (MiB) |")
    .AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
foreach (var group in rows.GroupBy(r => r.Vms))
{
    var total = Median(group.Select(r => r.Total));
    report.AppendLine(CultureInfo.InvariantCulture,
        $"| {group.Key} | {total:0.00} | {total / baseline:0.00} | {Median(group.Select(r => r.Spawn)):0.00} | {Median(group.Select(r => r.Boot)):0.00} | {Median(group.Select(r => r.RssMiB)):0} | {Median(group.Select(r => r.RssOverheadMiB)):0} |");
}

Console.WriteLine();
Console.WriteLine(report);
if (output.Length > 0)
{
    File.WriteAllText(output, report.ToString());
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

// VmRSS of every QEMU process whose command line names the bench's runtime directory, in MiB.
static List<double> RssOfQemuUnder(string runtime)
{
    var result = new List<double>();
    foreach (var pidFile in Directory.GetFiles(Path.Combine(runtime, "vms"), "qemu.pid", SearchOption.AllDirectories))
    {
        var pid = File.ReadAllText(pidFile).Trim();
        var status = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = double.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        result.Add(kib / 1024);
    }

    return result;
}
