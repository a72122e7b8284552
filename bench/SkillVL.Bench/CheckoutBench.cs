using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Bench;

/// <summary>
/// <para>Issue 12's measurements: a VM checked out to a client behind NAT over the emulated link (25 and 50 Mbit/s,
/// 40 ms), synced, changed, checked in; against a full move back (today's plain migration client → server of the same
/// VM, which carries its whole overlay); and the room network between a VM on the server node and one on the client,
/// through the client's NAT (relay, ADR 0019) vs by VXLAN over the same link emulator. One testbed per rate and path.</para>
/// <para>The VM: "tiny-2g" of <see cref="CorpusTemplate"/> (2 GiB disk, a base of real files of this host), a history of
/// <see cref="CheckoutBenchOptions.HistoryMiB"/> written before the check-out; while checked out the guest changes
/// <see cref="CheckoutBenchOptions.ChangePercent"/> % of the disk: part A, then a sync, then part B — B is what the
/// check-in must carry besides RAM. The background sync's interval is set to an hour so that the bench's own sync is
/// the only one (it is the same code path: <c>POST .../sync</c> runs what the background runs, at the same rate cap).</para>
/// </summary>
public static class CheckoutBench
{
    private const long MiB = 1L << 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<(IReadOnlyList<CheckoutMeasurement> Rows, string Report)> RunAsync(string tinyImage, CheckoutBenchOptions options, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var template = await CorpusTemplate.BuildAsync(tinyImage, options.Template);
        try
        {
            options.Validate(template.OsMiB);
            log.WriteLine(FormattableString.Invariant(
                $"Template tiny-2g built in {clock.Elapsed.TotalSeconds:0} s: {options.BaseMiB} MiB of corpus at {template.BaseStartMiB} MiB; zstd -3 ratio of the history's data {template.OverlayZstdRatio:0.00}."));
            string syncRate = "";
            await using var server = await EmbeddedServer.StartAsync("co", template.Directory, o =>
            {
                // "tiny" for the room network's receiver on laptop1: a fresh laptop1 need not fetch the 2 GiB template.
                o.TemplateSources = [template.Directory, tinyImage];
                o.Checkout.SyncInterval = TimeSpan.FromHours(1);
                syncRate = o.Checkout.SyncRate;
            });
            var rows = new List<CheckoutMeasurement>();
            for (var i = 0; i < options.Bandwidths.Count; i++)
            {
                rows.Add(await RunAtAsync(server, template, options, options.Bandwidths[i], log));
            }

            return (rows, CheckoutBenchReport.Render(rows, options, template, syncRate));
        }
        finally
        {
            Directory.Delete(template.Directory, recursive: true);
        }
    }

    private static async Task<CheckoutMeasurement> RunAtAsync(EmbeddedServer server, CorpusTemplate template, CheckoutBenchOptions o, int mbit, TextWriter log)
    {
        var http = server.Client;
        var history = template.BaseStartMiB + o.BaseMiB;
        var partA = history + o.HistoryMiB;
        var partB = partA + o.SyncedMiB;

        // The corpus read as one stream, each write taking the next part of it (wrapping around the base).
        var cursor = 0;
        List<(int From, int To, int MiB)> Next(int to, int mib)
        {
            var pieces = new List<(int, int, int)>();
            for (var done = 0; done < mib;)
            {
                var at = cursor % o.BaseMiB;
                var n = Math.Min(mib - done, o.BaseMiB - at);
                pieces.Add((template.BaseStartMiB + at, to + done, n));
                done += n;
                cursor += n;
            }

            return pieces;
        }

        CheckoutMeasurement.Move first, checkin, plainOut, fullBack, second;
        CheckoutMeasurement.SyncFigures sync;
        CheckoutMeasurement.RoomNet relay;
        await using (var bed = await CheckoutBenchBed.UpAsync(server, mbit, o.RttMs, laptopAsServerNode: false))
        {
            log.WriteLine($"{mbit} Mbit/s: testbed {bed.Prefix} up (laptop1 behind NAT)");
            await ServerApi.ApplyAsync(http, Room("co", o.RamMiB, ("vm", "tiny-2g", "node1", "10.0.0.10")), CancellationToken.None);
            var vm = new CheckoutBenchGuest(http, "co", "vm");
            await vm.CopyAsync(Next(history, o.HistoryMiB));
            await vm.FillRamAsync(Next(0, o.RamFillMiB), o.RamFillMiB);

            await UsedAsync(vm, template, log);
            first = await MoveAsync(server, bed, "checkout", o.HistoryMiB, log);

            // Part A, the idle throughput (into part B's place), the sync with the second throughput write during it.
            await vm.CopyAsync(Next(partA, o.SyncedMiB));
            var idle = await vm.CopyAsync(Next(partB, o.ThroughputMiB));
            var linkBefore = bed.LinkBytes();
            var syncing = SyncAsync(http);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var during = await vm.CopyAsync(Next(partB, o.ThroughputMiB));
            var overlapped = !syncing.IsCompleted;
            var synced = await syncing;
            sync = new(o.SyncedMiB + o.ThroughputMiB, synced.BytesCopied, synced.TunnelBytes, bed.LinkBytes() - linkBefore, synced.ElapsedMs / 1000, idle, during, overlapped);
            log.WriteLine(FormattableString.Invariant(
                $"  sync: {synced.BytesCopied / (double)MiB:0.0} MiB copied, {synced.TunnelBytes / (double)MiB:0.0} MiB on its tunnel, {sync.LinkBytes / (double)MiB:0.0} MiB on the link in {sync.Seconds:0.0} s; dd {idle:0.0} MiB/s idle, {during:0.0} MiB/s during (overlapped {overlapped})"));

            // Part B over the throughput writes: the changes since the sync. Then the check-in.
            await vm.CopyAsync(Next(partB, o.UnsyncedMiB));
            await UsedAsync(vm, template, log);
            checkin = await MoveAsync(server, bed, "checkin", o.HistoryMiB + o.ChangedMiB, log);

            // The same VM out again by a plain migration, and back: today's full move back carries the whole overlay.
            plainOut = await MigrateAsync(server, bed, "laptop1", o.HistoryMiB + o.ChangedMiB, log);
            await UsedAsync(vm, template, log);
            fullBack = await MigrateAsync(server, bed, "node1", o.HistoryMiB + o.ChangedMiB, log);

            // The second check-out finds the template on laptop1; a check-in ends it (nothing to carry but RAM).
            await UsedAsync(vm, template, log);
            second = await MoveAsync(server, bed, "checkout", o.HistoryMiB + o.ChangedMiB, log);
            await MoveAsync(server, bed, "checkin", o.HistoryMiB + o.ChangedMiB, log);
            await ServerApi.DeleteAsync(http, "co", CancellationToken.None);

            relay = await RoomNetAsync(server, bed, template, o, log);
        }

        CheckoutMeasurement.RoomNet vxlan;
        await using (var bed = await CheckoutBenchBed.UpAsync(server, mbit, o.RttMs, laptopAsServerNode: true))
        {
            log.WriteLine($"{mbit} Mbit/s: testbed {bed.Prefix} up (laptop1 a server-kind node, no NAT)");
            vxlan = await RoomNetAsync(server, bed, template, o, log);
        }

        return new CheckoutMeasurement(mbit, first, sync, checkin, plainOut, fullBack, second, relay, vxlan) { UnsyncedChangedBytes = o.UnsyncedMiB * MiB };
    }

    /// <summary>VM "a" on node1 and "b" on laptop1 in one room network: ping a → b, then a's nc stream of corpus data to b.</summary>
    private static async Task<CheckoutMeasurement.RoomNet> RoomNetAsync(EmbeddedServer server, CheckoutBenchBed bed, CorpusTemplate template, CheckoutBenchOptions o, TextWriter log)
    {
        var http = server.Client;
        await ServerApi.ApplyAsync(http, Room("net", 128, ("a", "tiny-2g", "node1", "10.0.0.10"), ("b", "tiny", "laptop1", "10.0.0.11")), CancellationToken.None);
        var a = new CheckoutBenchGuest(http, "net", "a");
        var b = new CheckoutBenchGuest(http, "net", "b");
        CheckoutMeasurement.RoomNet result;
        var rtt = double.NaN;
        try
        {
            rtt = await a.PingAsync("10.0.0.11", 20);
            await b.ListenAsync(o.NetMiB);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var before = bed.LinkBytes();
            await a.SendAsync("10.0.0.11", template.BaseStartMiB, o.NetMiB);
            var goodput = await b.ReceivedMbitAsync(o.NetMiB, TimeSpan.FromSeconds(120 + (o.NetMiB * 8.0 * 4)));
            result = new CheckoutMeasurement.RoomNet(rtt, goodput, bed.LinkBytes() - before, o.NetMiB * MiB);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FormatException or IndexOutOfRangeException)
        {
            // The moves measured before are worth keeping: the row says why this one is missing.
            result = new CheckoutMeasurement.RoomNet(rtt, double.NaN, 0, o.NetMiB * MiB, e.Message);
        }

        log.WriteLine(FormattableString.Invariant($"  room network: RTT {result.RttMs:0.0} ms, {result.Mbit:0.0} Mbit/s, {result.LinkBytes / (double)MiB:0.0} MiB on the link for {o.NetMiB} MiB {result.Error}"));
        await ServerApi.DeleteAsync(http, "net", CancellationToken.None);
        return result;
    }

    /// <summary>The guest's free RAM filled with page cache before a measured move (see <see cref="CheckoutBenchGuest.UseRamAsync"/>).</summary>
    private static async Task UsedAsync(CheckoutBenchGuest vm, CorpusTemplate template, TextWriter log)
    {
        var cacheKiB = await vm.UseRamAsync(template.BaseStartMiB);
        log.WriteLine(FormattableString.Invariant($"  the guest's page cache before the move: {cacheKiB / 1024.0:0.0} MiB"));
    }

    /// <summary>A check-out to laptop1 or a check-in, followed to its end; retried (up to 3 more times) when the platform
    /// took the move back because the guest did not answer on the target (QEMU 7.2 under TCG, ADR 0012).</summary>
    private static Task<CheckoutMeasurement.Move> MoveAsync(EmbeddedServer server, CheckoutBenchBed bed, string action, int overlayMiB, TextWriter log) =>
        UntilMovedAsync(server, bed, action, overlayMiB, log, async () =>
        {
            using var response = action == "checkout"
                ? await server.Client.PostAsJsonAsync(ApiPaths.Machine("co", "vm") + "/checkout", new CheckoutRequest("laptop1"), Json)
                : await server.Client.PostAsync(ApiPaths.Machine("co", "vm") + "/checkin", null);
            return await MigrationOfAsync(response, action);
        });

    /// <summary>Today's plain migration of the VM to <paramref name="to"/> (SkillVL's engine, overlay only).</summary>
    private static Task<CheckoutMeasurement.Move> MigrateAsync(EmbeddedServer server, CheckoutBenchBed bed, string to, int overlayMiB, TextWriter log) =>
        UntilMovedAsync(server, bed, "move to " + to, overlayMiB, log, async () =>
        {
            using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("co/vm", to), Json);
            return await MigrationOfAsync(response, "move to " + to);
        });

    private static async Task<CheckoutMeasurement.Move> UntilMovedAsync(
        EmbeddedServer server, CheckoutBenchBed bed, string what, int overlayMiB, TextWriter log, Func<Task<MigrationInfo>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = bed.LinkBytes();
            var migration = await start();
            migration = await ServerApi.WaitMigrationAsync(server.Client, migration, CancellationToken.None);

            var move = new CheckoutMeasurement.Move(migration, bed.LinkBytes() - before, attempt, overlayMiB);
            var m = migration.Metrics;
            log.WriteLine(FormattableString.Invariant(
                $"  {what} (attempt {attempt}): {migration.State} in {move.Seconds:0.0} s, downtime {m.DowntimeMs:0} ms, {move.LinkBytes / (double)MiB:0.0} MiB on the link (QEMU RAM {m.RamBytes / (double?)MiB:0.0}, disk {m.DiskBytes / (double?)MiB:0.0}, template {m.BaseBytes / (double?)MiB:0.0} MiB) {migration.Error}"));
            foreach (var line in migration.Log.Where(l => l.Message.StartsWith("Reclaim", StringComparison.Ordinal)))
            {
                log.WriteLine("    " + line.Message);
            }

            if (move.Succeeded || attempt == 4 || migration.Error?.Contains("the move was taken back", StringComparison.Ordinal) != true)
            {
                return move.Succeeded ? move : throw new InvalidOperationException($"{what}: {migration.State} {migration.Error}");
            }
        }
    }

    private static async Task<MigrationInfo> MigrationOfAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<MigrationInfo>(body, Json)!
            : throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {body}");
    }

    private static async Task<CheckoutSyncInfo> SyncAsync(HttpClient http)
    {
        using var response = await http.PostAsync(ApiPaths.Machine("co", "vm") + "/sync", null);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<CheckoutSyncInfo>(body, Json)!
            : throw new InvalidOperationException($"sync: {(int)response.StatusCode} {body}");
    }

    private static string Room(string name, int memoryMiB, params (string Name, string Template, string Node, string Ip)[] machines)
    {
        var text = new StringBuilder($"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nnetworks: [{{ name: lan, cidr: 10.0.0.0/24 }}]\nmachines:\n");
        foreach (var (vm, template, node, ip) in machines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ name: {vm}, template: {template}, memory: {memoryMiB}Mi, node: {node}, nics: [{{ network: lan, ip: {ip} }}] }}\n");
        }

        return text.ToString();
    }
}
