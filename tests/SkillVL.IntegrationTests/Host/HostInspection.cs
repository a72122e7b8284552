using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SkillVL.IntegrationTests;

/// <summary>Looks at the host the way an operator would: /proc and `ip -j link`.</summary>
internal static class HostInspection
{
    /// <summary>Pids of live processes whose command line contains <paramref name="fragment"/>.</summary>
    public static IReadOnlyList<int> ProcessesWhoseCommandLineContains(string fragment)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && cmdline.Contains(fragment, StringComparison.Ordinal) && pid != Environment.ProcessId)
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    public static async Task<IReadOnlyList<string>> InterfacesWithAliasAsync(string alias)
    {
        var json = await RunAsync("ip", "-j", "link", "show");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .Where(l => l.TryGetProperty("ifalias", out var a) && a.GetString() == alias)
            .Select(l => l.GetProperty("ifname").GetString()!)
            .ToList();
    }

    public static async Task DeleteInterfacesWithAliasAsync(string alias)
    {
        foreach (var name in await InterfacesWithAliasAsync(alias))
        {
            await RunAsync("ip", "link", "del", "dev", name);
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var output = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return output;
    }
}
