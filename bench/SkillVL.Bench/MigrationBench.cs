using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Testbed;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;

namespace SkillVL.Bench;

/// <summary>
/// Issue 6's measurements: a VM moved from a server node to a client node behind the emulated WAN link
/// (skillvl-linkem, RTT 40 ms) at 20, 50 and 100 Mbit/s, by the baseline — what Proxmox's
/// <c>qm migrate --online --with-local-disks</c> does: a full mirror of the disk (base included) and QEMU's default
/// pre-copy — and by SkillVL's engine (overlay only, the template cached on the target, the policy's parameters),
/// side by side in one run. Bytes on the link come from the link's tap counters. The VM: 512 MiB of RAM, half of it
/// filled with data (copies of the guest's busybox binary: code pages, as compressible as real ones), a template
/// whose disk holds <see cref="BaseDataMiB"/> MiB of data beyond the tiny OS, and <see cref="OverlayDataMiB"/> MiB
/// written by the guest on top of it. Smaller than the 2 GiB/1 GiB disk so a run fits a working session;
/// the ratios are what is compared, and the report says so.
/// </summary>
public static class MigrationBench
{
    public const int BaseDataMiB = 384;
    public const int OverlayDataMiB = 128;
    public const int FilledRamMiB = 256;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<string> RunAsync(string tinyImage, IReadOnlyList<int> bandwidths, IReadOnlyList<int> dirtyRates)
    {
        var fat = await BuildTemplateAsync(tinyImage);
        await using var server = await BenchServer.StartAsync("mig", fat);
        var rows = new List<Row>();
        try
        {
            foreach (var mbit in bandwidths)
            {
                rows.AddRange(await RunAtAsync(server, mbit, dirty: 0, includeFirst: mbit == bandwidths[0]));
            }

            foreach (var dirty in dirtyRates)
            {
                rows.AddRange(await RunAtAsync(server, 50, dirty, includeFirst: false));
            }
        }
        finally
        {
            Directory.Delete(fat, recursive: true);
        }

        return Report(rows);
    }

    private sealed record Row(int Mbit, int DirtyMiBs, string System, MigrationInfo Migration, long LinkBytes, long FloorBytes)
    {
        public double Seconds => (Migration.Metrics.TotalTimeMs ?? double.NaN) / 1000;

        /// <summary>The least time the bytes that must cross need at the link's rate.</summary>
        public double FloorSeconds => FloorBytes * 8.0 / (Mbit * 1e6);
    }

    private static async Task<IReadOnlyList<Row>> RunAtAsync(BenchServer server, int mbit, int dirty, bool includeFirst)
    {
        var state = Path.Combine(server.Root, $"testbed-{mbit}-{dirty}");
        var testbed = new TestbedController(TextWriter.Null);
        var prefix = "svlbm" + (mbit % 1000).ToString(CultureInfo.InvariantCulture);
        UnderlayServerRelay? relay = null;
        var http = server.Client;
        var rows = new List<Row>();
        try
        {
            await testbed.UpAsync(
                new UpRequest
                {
                    Nodes = 1,
                    Clients = ["laptop1"],
                    Bandwidth = $"{mbit}mbit",
                    Rtt = "40ms",
                    Prefix = prefix,
                    Subnet = $"198.18.{60 + (mbit % 100)}.0/24",
                    StateDirectory = state,
                    Server = "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"),
                    AdminToken = server.AdminToken,
                    AgentCommand = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"),
                    AgentServerOnUnderlay = (address, _) =>
                    {
                        relay = UnderlayServerRelay.Start(address, Path.Combine(server.RuntimeDirectory, "agent.sock"));
                        return Task.FromResult(relay.Url);
                    },
                },
                CancellationToken.None);
            await WaitAsync(async () => (await http.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, Json))!
                .Count(n => n.Name is "node1" or "laptop1" && n.State == "ready") == 2, "node1 and laptop1");
            (await http.PostAsync(ApiPaths.Nodes + "/local/drain", null)).EnsureSuccessStatusCode();
            var link = new MigrationLinkOverride($"{mbit}Mbit", "40ms");
            var tap = Path.Combine("/sys/class/net", prefix + "c1u", "statistics");

            var systems = new List<(string Name, bool First, CreateMigrationRequest Request)>();
            if (includeFirst)
            {
                systems.Add(("SkillVL, base not cached", true, new("mig/vm", "laptop1", Link: link)));
            }

            systems.Add(("baseline (full mirror, QEMU defaults)", false, new("mig/vm", "laptop1", DiskTransfer: "full", Tuning: "qemu-defaults", MaxTotalTime: "4m", Link: link)));
            systems.Add(("SkillVL, base cached", false, new("mig/vm", "laptop1", Link: link, MaxDowntime: "2s", MaxTotalTime: "4m")));

            // The template on laptop1 first when the row wants it cached (a first migration there fetches it once).
            if (!includeFirst)
            {
                await ApplyAsync(http, Room("warm", "laptop1"));
                await DeleteAsync(http, "warm");
            }

            foreach (var (name, _, request) in systems)
            {
                await ApplyAsync(http, Room("mig", "node1"));
                await PrepareGuestAsync(http, dirty);
                var before = Counter(tap);
                var migration = await MigrateAsync(http, request);
                var bytes = Counter(tap) - before;
                rows.Add(new Row(mbit, dirty, name, migration, bytes, Floor(migration, request)));
                Console.WriteLine(FormattableString.Invariant(
                    $"{mbit} Mbit/s, dirty {dirty} MiB/s, {name}: {migration.State} in {migration.Metrics.TotalTimeMs / 1000:0.0} s, downtime {migration.Metrics.DowntimeMs} ms, {bytes / 1048576.0:0.0} MiB on the link (QEMU: RAM {Mib(migration.Metrics.RamBytes)}, disk {Mib(migration.Metrics.DiskBytes)}, template {Mib(migration.Metrics.BaseBytes)} MiB) {migration.Error}"));
                await DeleteAsync(http, "mig");
            }
        }
        finally
        {
            await testbed.DownAsync(state, CancellationToken.None);
            if (relay is not null)
            {
                await relay.DisposeAsync();
            }

            // The next testbed enrols nodes of the same names.
            foreach (var node in new[] { "node1", "laptop1" })
            {
                using var removed = await http.DeleteAsync(ApiPaths.Nodes + "/" + node);
            }
        }

        return rows;
    }

    /// <summary>Bytes that must cross for this migration, whatever the method: the VM's own data (the overlay the guest
    /// wrote and the RAM it filled), plus the template when the target lacks it (what the first move fetched).</summary>
    private static long Floor(MigrationInfo migration, CreateMigrationRequest request) =>
        ((long)OverlayDataMiB << 20) + ((long)FilledRamMiB << 20) + (request.DiskTransfer == "full" ? 0 : migration.Metrics.BaseBytes ?? 0);

    private static long Counter(string tap) =>
        long.Parse(File.ReadAllText(Path.Combine(tap, "rx_bytes")), CultureInfo.InvariantCulture)
        + long.Parse(File.ReadAllText(Path.Combine(tap, "tx_bytes")), CultureInfo.InvariantCulture);

    private static async Task PrepareGuestAsync(HttpClient http, int dirtyMiBs)
    {
        // Disk: OverlayDataMiB of random data written past the end of the guest's filesystem, where the template holds
        // its base data (1 GiB into the disk), so the overlay holds them and the base's copy is shadowed, as when a
        // student's work replaces files of the image.
        // The page cache would keep those blocks in RAM too (random, so incompressible): dropped, so RAM holds what the
        // next step puts there.
        await ExecAsync(http, $"dd if=/dev/urandom of=/dev/vda bs=1M seek=1024 count={OverlayDataMiB} conv=notrunc 2>/dev/null && sync && echo 3 > /proc/sys/vm/drop_caches");
        // RAM: half of it filled with data in tmpfs.
        await ExecAsync(http, $"mkdir -p /dev/shm && mount -t tmpfs -o size={FilledRamMiB + 16}m tmpfs /dev/shm 2>/dev/null; "
            + $"i=0; while [ $i -lt {FilledRamMiB / 2} ]; do cat /bin/busybox /bin/busybox | head -c 2097152 > /dev/shm/f$i; i=$((i+1)); done; sync");
        // Free pages keep what they last held (the disk writes above passed through the page cache): zero them, so the
        // rest of RAM is empty as in the scenario, by filling a tmpfs with zeros and freeing it again.
        await ExecAsync(http, "mkdir -p /mnt/scrub && mount -t tmpfs -o size=100% tmpfs /mnt/scrub && "
            + "n=$(awk '/MemFree/ {print int($2/1024) - 32}' /proc/meminfo) && dd if=/dev/zero of=/mnt/scrub/z bs=1M count=$n 2>/dev/null; "
            + "rm -f /mnt/scrub/z; umount /mnt/scrub");
        if (dirtyMiBs > 0)
        {
            // A writer that rewrites dirtyMiBs MiB of a 64 MiB tmpfs file every second.
            await ExecAsync(http, $"(dd if=/dev/zero of=/dev/shm/dirty bs=1M count=64 2>/dev/null; n=0; while :; do "
                + $"dd if=/dev/urandom of=/dev/shm/dirty bs=1M count={dirtyMiBs} seek=$(( (n * {dirtyMiBs}) % 64 )) conv=notrunc 2>/dev/null; n=$((n+1)); sleep 1; done) </dev/null >/dev/null 2>&1 &");
        }
    }

    private static async Task ExecAsync(HttpClient http, string script)
    {
        using var response = await http.PostAsJsonAsync(ApiPaths.Machine("mig", "vm") + "/exec", new ExecRequest(["sh", "-c", script], TimeSpan.FromMinutes(10)), Json);
        var result = (await response.Content.ReadFromJsonAsync<ExecResponse>(Json))!;
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script}: exit {result.ExitCode} {result.Stderr}");
        }
    }

    private static async Task<MigrationInfo> MigrateAsync(HttpClient http, CreateMigrationRequest request)
    {
        using var response = await http.PostAsJsonAsync(ApiPaths.Migrations, request, Json);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {ApiPaths.Migrations}: {(int)response.StatusCode} {body}");
        }

        var migration = JsonSerializer.Deserialize<MigrationInfo>(body, Json)!;
        while (!MigrationStates.IsFinal(migration.State))
        {
            await Task.Delay(500);
            migration = (await http.GetFromJsonAsync<MigrationInfo>(ApiPaths.Migration(migration.Id), Json))!;
        }

        return migration;
    }

    private static string Room(string name, string node) => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: {{name}} }
        networks: [{ name: lan, cidr: 10.0.0.0/24 }]
        machines:
          - { name: vm, template: tiny-2g, memory: 512Mi, node: {{node}}, nics: [{ network: lan, ip: 10.0.0.10 }] }
        """;

    /// <summary>A template "tiny-2g": the tiny OS in a 2 GiB disk whose base holds BaseDataMiB of data at 1 GiB.</summary>
    private static async Task<string> BuildTemplateAsync(string tinyImage)
    {
        var directory = Path.Combine("/tmp", "svl-bench-tiny2g-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(directory);
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            File.Copy(Path.Combine(tinyImage, file), Path.Combine(directory, file));
        }

        var raw = Path.Combine(directory, "disk.raw");
        await RunAsync("qemu-img", "convert", "-O", "raw", Path.Combine(tinyImage, "disk.qcow2"), raw);
        await RunAsync("truncate", "-s", "2G", raw);
        await RunAsync("dd", "if=/dev/urandom", "of=" + raw, "bs=1M", "seek=1024", $"count={BaseDataMiB}", "conv=notrunc", "status=none");
        await RunAsync("qemu-img", "convert", "-O", "qcow2", raw, Path.Combine(directory, "disk.qcow2"));
        File.Delete(raw);
        var manifest = JsonNode(File.ReadAllText(Path.Combine(tinyImage, "template.json")));
        manifest["name"] = "tiny-2g";
        manifest.Remove("sha256");
        manifest.Remove("sizeBytes");
        var files = new System.Text.Json.Nodes.JsonObject();
        foreach (var file in new[] { "vmlinuz", "initrd.img", "disk.qcow2" })
        {
            await using var stream = File.OpenRead(Path.Combine(directory, file));
            files[file] = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream));
        }

        manifest["files"] = files;
        File.WriteAllText(Path.Combine(directory, "template.json"), manifest.ToJsonString());
        return directory;
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(string text) => System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();

    private static string Report(IReadOnlyList<Row> rows)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, TCG, testbed node1 → laptop1 over skillvl-linkem (RTT 40 ms). "
            + $"VM: 512 MiB RAM with {FilledRamMiB} MiB filled, template disk 2 GiB with {BaseDataMiB} MiB of base data, {OverlayDataMiB} MiB written by the guest on top.");
        report.AppendLine();
        report.AppendLine("| link | guest dirties | method | outcome | total s | downtime ms | MiB on the link | of which QEMU's RAM / disk / template MiB | floor s | total / floor | bytes vs baseline | time vs baseline |");
        report.AppendLine("|---:|---:|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var baseline = rows.FirstOrDefault(r => r.Mbit == row.Mbit && r.DirtyMiBs == row.DirtyMiBs && r.System.StartsWith("baseline", StringComparison.Ordinal));
            var vsBytes = baseline is null || row == baseline ? "—" : FormattableString.Invariant($"{(double)baseline.LinkBytes / row.LinkBytes:0.00}× fewer");
            var vsTime = baseline is null || row == baseline ? "—" : FormattableString.Invariant($"{baseline.Seconds / row.Seconds:0.00}× sooner");
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Mbit} Mbit/s | {row.DirtyMiBs} MiB/s | {row.System} | {row.Migration.State} | {row.Seconds:0.0} | {row.Migration.Metrics.DowntimeMs:0} | {row.LinkBytes / 1048576.0:0.0} | {Mib(row.Migration.Metrics.RamBytes)} / {Mib(row.Migration.Metrics.DiskBytes)} / {Mib(row.Migration.Metrics.BaseBytes)} | {row.FloorSeconds:0.0} | {row.Seconds / row.FloorSeconds:0.00} | {vsBytes} | {vsTime} |");
        }

        return report.ToString();
    }

    private static string Mib(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0", CultureInfo.InvariantCulture) : "—";

    private static async Task ApplyAsync(HttpClient http, string yaml)
    {
        using var put = await http.PostAsync(ApiPaths.Rooms, new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        if (!put.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await put.Content.ReadAsStringAsync());
        }

        var task = (await put.Content.ReadFromJsonAsync<TaskInfo>(Json))!;
        while (!TaskStates.IsFinal(task.State))
        {
            await Task.Delay(200);
            task = (await http.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(task.Id), Json))!;
        }

        if (task.State != TaskStates.Succeeded)
        {
            throw new InvalidOperationException(task.Outcome);
        }
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

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(250);
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {error}");
        }
    }
}
