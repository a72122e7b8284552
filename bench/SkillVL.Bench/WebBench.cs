using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Bench;

/// <summary>
/// Web UI measurements (issue 4): an embedded Server serving the built SPA (web/dist) to Debian's headless Chromium,
/// driven by web/e2e/bench.mjs (playwright-core): first load of the SPA cold and warm (bytes on the wire, time to
/// the first usable element), the signed-in home, and the designer with a generated topology (render, selection,
/// drag). Baselines in the same run: the warm load against the cold one; the designer with 50 machines against the
/// same with 5 (the browser's own input and frame pipeline), and both against the 16.7 ms frame of a 60 Hz display.
/// </summary>
public static class WebBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    public static async Task<string> RunAsync(string repository, int runs, int machines, int baselineMachines = 5)
    {
        var webRoot = Path.Combine(repository, "web", "dist");
        var script = Path.Combine(repository, "web", "e2e", "bench.mjs");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            throw new InvalidOperationException($"{webRoot}/index.html is missing: run web/build.sh (from the repository root)");
        }

        await using var server = await EmbeddedServer.StartAsync("web", null, o => o.WebRoot = webRoot);
        var password = "bench-" + Guid.NewGuid().ToString("N")[..16];
        using (var user = await server.Client.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest("bencher", PlatformRoles.Student, password), Json))
        {
            user.EnsureSuccessStatusCode();
        }

        var output = await RunScriptAsync(script, ["--base-url", server.BaseUrl, "--username", "bencher", "--password", password,
            "--runs", runs.ToString(CultureInfo.InvariantCulture), "--machines", machines.ToString(CultureInfo.InvariantCulture),
            "--baseline-machines", baselineMachines.ToString(CultureInfo.InvariantCulture)]);
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("BENCH-JSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("bench.mjs printed no BENCH-JSON line:\n" + output);
        using var result = JsonDocument.Parse(line["BENCH-JSON ".Length..]);
        return Report(result.RootElement, runs, (await File.ReadAllBytesAsync(Path.Combine(webRoot, "index.html"))).Length, AssetBytes(webRoot));
    }

    private static string Report(JsonElement r, int runs, long indexBytes, (long Js, long Css) assets)
    {
        static double[] Values(JsonElement runs, string field) => runs.EnumerateArray().Select(x => x.GetProperty(field).GetDouble()).ToArray();
        static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var cold = r.GetProperty("firstLoad").GetProperty("cold");
        var warm = r.GetProperty("firstLoad").GetProperty("warm");
        var identity = r.GetProperty("firstLoad").GetProperty("coldIdentity");
        var baseline = r.GetProperty("designer")[0];
        var d = r.GetProperty("designer")[1];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, Chromium {r.GetProperty("chromium").GetString()} headless (software rendering), Server on loopback, {runs} runs each (medians).");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Built SPA: index.html {indexBytes / 1024.0:0.0} KiB, entry JavaScript {assets.Js / 1024.0:0.0} KiB, CSS {assets.Css / 1024.0:0.0} KiB (uncompressed, before the lazily loaded console chunks).");
        text.AppendLine();
        text.AppendLine("| first load of the SPA (sign-in page) | on the wire (KiB) | requests | of them from cache / 304 | first contentful paint (ms) | DOMContentLoaded (ms) | Sign in button usable (ms) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, set) in new[]
                 {
                     ("cold cache, uncompressed (Accept-Encoding: identity; baseline)", identity),
                     ("cold cache (new context)", cold),
                     ("warm cache (same context, again)", warm),
                 })
        {
            var fcp = set.EnumerateArray().Select(x => x.GetProperty("fcp")).Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetDouble()).ToArray();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(Values(set, "bytes")) / 1024:0.0} | {Median(Values(set, "requests")):0} | {Median(Values(set, "fromCache")):0} / {Median(Values(set, "notModified")):0} | {(fcp.Length > 0 ? Median(fcp).ToString("0", CultureInfo.InvariantCulture) : "—")} | {Median(Values(set, "dcl")):0} | {Median(Values(set, "interactive")):0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Signed-in home (warm, navigation → \"My rooms\" read and rendered): {Median(Numbers(r.GetProperty("home"))):0} ms.");
        text.AppendLine();
        var few = baseline.GetProperty("machines").GetInt32();
        var many = d.GetProperty("machines").GetInt32();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| designer (medians; max of {many} in brackets) | {few} machines, baseline (ms) | {many} machines on 5 networks (ms) | ratio | {many} machines in 60 Hz frames |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (name, field) in new[]
                 {
                     ("render (Canvas tab → every machine laid out and painted)", "render"),
                     ("select a machine (click → its name in the side panel, painted)", "select"),
                     ("drag: a mouse move → the node at its new place, painted", "dragMoves"),
                     ("drop after a drag (pointer-up → move in the document, painted)", "dropCommit"),
                 })
        {
            var a = Numbers(baseline.GetProperty(field));
            var b = Numbers(d.GetProperty(field));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(a):0.0} | {Median(b):0.0} ({b.Max():0.0}) | {Median(b) / Median(a):0.00} | {Median(b) / (1000.0 / 60):0.0} |");
        }

        var moves = Numbers(d.GetProperty("dragMoves"));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Drag with {many} machines: p95 {Percentile(moves, 95):0.0} ms over {moves.Length} mouse moves.");
        return text.ToString();
    }

    private static (long Js, long Css) AssetBytes(string webRoot)
    {
        var index = File.ReadAllText(Path.Combine(webRoot, "index.html"));
        long Sum(string ext) => Directory.GetFiles(Path.Combine(webRoot, "assets"), "*" + ext)
            .Where(f => index.Contains(Path.GetFileName(f), StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        return (Sum(".js"), Sum(".css"));
    }

    /// <summary>Runs the script with node, echoing its output; kills it by pid (with Chromium) after <see cref="ScriptTimeout"/>.</summary>
    private static async Task<string> RunScriptAsync(string script, string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start node");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (!e.Data.StartsWith("BENCH-JSON", StringComparison.Ordinal))
            {
                Console.WriteLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"bench.mjs did not finish within {ScriptTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bench.mjs exited {process.ExitCode}:\n{output}");
        }

        lock (output)
        {
            return output.ToString();
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Percentile(double[] values, int p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
