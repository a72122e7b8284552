using System.Globalization;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>
/// Reads what we need about a process from procfs. The root is a parameter so the parsing is tested on
/// files the test writes.
/// </summary>
public sealed class ProcFs
{
    public ProcFs(string root = "/proc")
    {
        Root = root;
    }

    public string Root { get; }

    /// <summary>
    /// True when <paramref name="pid"/> is a live (not zombie) process whose command line mentions
    /// <paramref name="runtimeDirectory"/>. QEMU's argv names its pidfile and sockets in the VM's runtime
    /// directory, so this recognises our QEMU and rejects a pid the kernel has since given to someone else.
    /// </summary>
    public bool IsLiveProcessOf(int pid, string runtimeDirectory)
    {
        var directory = Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            // A zombie has an empty cmdline, and is dead for our purposes (its parent just has not reaped it).
            var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
            if (cmdline.Length == 0 || IsZombie(directory))
            {
                return false;
            }

            var marker = Path.TrimEndingDirectorySeparator(runtimeDirectory) + "/";
            return cmdline.Split('\0').Any(arg => arg.Contains(marker, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// True once <paramref name="pid"/> has fully exited: gone, a zombie, or reused by a program that is not our
    /// QEMU. Stricter than "not <see cref="IsLiveProcessOf"/>": a process being killed loses its memory (and with
    /// it its cmdline) before it closes its files, so until it is a zombie it may still hold the disk image's
    /// lock, and a new QEMU on the same disk would fail to start.
    /// </summary>
    public bool HasExited(int pid, string runtimeDirectory)
    {
        var directory = Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            if (IsZombie(directory))
            {
                // The thread-group leader turns zombie as soon as it has exited, while QEMU's other threads may still
                // be tearing down and holding the shared file table, and with it the disk image's lock. Only when the
                // leader is the last task left are its files closed.
                return CountTasks(directory) <= 1;
            }

            var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
            if (cmdline.Length == 0)
            {
                return false; // exiting, files possibly still open
            }

            var marker = Path.TrimEndingDirectorySeparator(runtimeDirectory) + "/";
            return !cmdline.Split('\0').Any(arg => arg.Contains(marker, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Resident set size of the process in bytes (VmRSS in /proc/&lt;pid&gt;/status), or null.</summary>
    public long? ReadRssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:	  205164 kB": the kernel always reports kB (KiB).
                    var fields = line["VmRSS:".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The kernel's USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux architecture .NET runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU time the process used so far, user and system, in seconds (/proc/&lt;pid&gt;/stat's utime and stime, fields 14
    /// and 15), or null. For a VM's QEMU this is the guest's vCPUs plus QEMU's own work; its rate says how busy the guest is.
    /// </summary>
    public double? ReadCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces or parentheses: fields count from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
            return fields.Length > 12
                && ulong.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
                && ulong.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
                ? (user + system) / ClockTicksPerSecond
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads a pidfile as QEMU writes it ("1234\n"); null when missing or not a number.</summary>
    public static int? ReadPidFile(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }

    private static int CountTasks(string processDirectory)
    {
        try
        {
            return Directory.GetDirectories(Path.Combine(processDirectory, "task")).Length;
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
    }

    private static bool IsZombie(string processDirectory)
    {
        // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces and ')', so read after the last ')'.
        var stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
        var close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
    }
}
