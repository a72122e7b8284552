using System.Diagnostics;
using System.Globalization;

namespace SkillVL.TestUtilities;

/// <summary>
/// Kills the QEMU processes a test started, found by the pidfiles under the test's own runtime directory, by
/// pid only, and only when the process's command line names that directory (so a reused pid is never hit).
/// </summary>
public static class ProcessReaper
{
    /// <summary>Live pids whose pidfile (qemu.pid) lies under <paramref name="runtimeRoot"/> and whose argv names it.</summary>
    public static IReadOnlyList<int> LiveQemuPids(string runtimeRoot)
    {
        if (!Directory.Exists(runtimeRoot))
        {
            return [];
        }

        var pids = new List<int>();
        foreach (var pidFile in Directory.EnumerateFiles(runtimeRoot, "qemu.pid", SearchOption.AllDirectories))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && IsLiveAndMentions(pid, Path.GetDirectoryName(pidFile)!))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>Every live process whose argv mentions <paramref name="directory"/> (a pidfile can be gone while the process is not).</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string directory)
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && IsLiveAndMentions(pid, directory))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>SIGKILLs every QEMU the test left under <paramref name="runtimeRoot"/>; returns how many it killed.</summary>
    public static async Task<int> KillAllUnderAsync(string runtimeRoot)
    {
        var pids = LiveQemuPids(runtimeRoot).Union(ProcessesMentioning(runtimeRoot)).ToList();
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone already.
            }
        }

        await Bounded.WaitUntilAsync(
            () => pids.All(pid => !IsLiveAndMentions(pid, runtimeRoot)), TimeSpan.FromSeconds(10), "killed QEMU processes to exit");
        return pids.Count;
    }

    public static bool IsLiveAndMentions(int pid, string directory)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return cmdline.Length > 0 && state is not ('Z' or 'X')
                && cmdline.Contains(Path.TrimEndingDirectorySeparator(directory) + "/", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
