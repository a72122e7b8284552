using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Core.Migration;

/// <summary>
/// The service gap a peer sees while a VM migrates (issue 6 §7: "downtime as seen by a peer's probe — the longest gap
/// in a 10 ms ping stream"). Another running machine of the room pings the mover every <see cref="Interval"/> from
/// before the RAM phase until after the switch-over; the longest run of missing replies, at that interval, is the gap.
/// QEMU's own downtime counts only the pause; this one also counts the network catching up (VXLAN peers, the guest's
/// announcement). Scripts for the peer's shell (iputils or BusyBox <c>ping</c>) and the parsing of its output.
/// </summary>
public static partial class PeerProbe
{
    /// <summary>One echo request every 10 ms, as the issue asks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Starts the probe in the background in the peer and prints its pid. The output goes to a file in /run (tmpfs):
    /// nothing of it lands on the peer's disk.
    /// </summary>
    /// <param name="address">The mover's IPv4 address on a network the peer shares.</param>
    /// <param name="name">A file-name-safe name for this probe (the migration's id).</param>
    public static IReadOnlyList<string> StartCommand(string address, string name)
    {
        if (!System.Net.IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        }

        var interval = Interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return ["sh", "-c", $"ping -i {interval} -W 1 {ip} > {LogFile(name)} 2>&1 </dev/null & echo $!"];
    }

    /// <summary>Stops the probe (SIGINT: ping prints its summary), prints what it saw and removes its file.</summary>
    public static IReadOnlyList<string> StopCommand(int pid, string name) =>
        ["sh", "-c", $"kill -INT {pid.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; sleep 0.3; cat {LogFile(name)}; rm -f {LogFile(name)}"];

    /// <summary>
    /// The longest time without a reply in ping's output: the largest step between the sequence numbers of consecutive
    /// replies, and the run of requests after the last reply (from the summary's "N packets transmitted"), at
    /// <see cref="Interval"/> each. Null when there were fewer than two replies: the peer never reached the mover, so
    /// there is nothing to measure a gap against.
    /// </summary>
    public static TimeSpan? LongestGap(string pingOutput)
    {
        ArgumentNullException.ThrowIfNull(pingOutput);
        var seqs = SeqPattern().Matches(pingOutput)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .Order()
            .ToList();
        if (seqs.Count < 2)
        {
            return null;
        }

        var longest = 1L;
        for (var i = 1; i < seqs.Count; i++)
        {
            longest = Math.Max(longest, seqs[i] - seqs[i - 1]);
        }

        // After the last reply: the next request's number is where the next reply would have been. iputils numbers its
        // requests from 1, BusyBox from 0 (replies lost before the first one, such as while ARP resolves, do not count).
        if (TransmittedPattern().Match(pingOutput) is { Success: true } summary)
        {
            var origin = seqs[0] == 0 ? 0 : 1;
            var next = origin + long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture);
            longest = Math.Max(longest, next - seqs[^1]);
        }

        return Interval * longest;
    }

    private static string LogFile(string name)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"'{name}' is not a safe file name.", nameof(name));
        }

        return $"/run/skillvl-probe-{name}.log";
    }

    [GeneratedRegex(@"[ _]seq=(\d+)")]
    private static partial Regex SeqPattern();

    [GeneratedRegex(@"(\d+) packets transmitted")]
    private static partial Regex TransmittedPattern();
}
