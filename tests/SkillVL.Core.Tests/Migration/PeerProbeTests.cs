using System.Text;
using SkillVL.Core.Migration;
using Xunit;

namespace SkillVL.Core.Tests.Migration;

public sealed class PeerProbeTests
{
    /// <summary>iputils-style output: replies with the given sequence numbers, then the summary after SIGINT.</summary>
    private static string Iputils(IEnumerable<int> replies, int transmitted)
    {
        var text = new StringBuilder("PING 10.60.0.10 (10.60.0.10) 56(84) bytes of data.\n");
        var list = replies.ToList();
        foreach (var seq in list)
        {
            text.Append("64 bytes from 10.60.0.10: icmp_seq=").Append(seq).Append(" ttl=64 time=0.812 ms\n");
        }

        text.Append("\n--- 10.60.0.10 ping statistics ---\n")
            .Append(transmitted).Append(" packets transmitted, ").Append(list.Count).Append(" received, 0% packet loss, time 1000ms\n");
        return text.ToString();
    }

    public static TheoryData<string, string, double?> Outputs => new()
    {
        { "no loss", Iputils(Enumerable.Range(1, 300), 300), 10 },
        { "the switch-over: 23 replies missing", Iputils(Enumerable.Range(1, 120).Concat(Enumerable.Range(144, 157)), 300), 240 },
        { "lost at the start (ARP) does not count", Iputils(Enumerable.Range(6, 295), 300), 10 },
        { "not back before the stop", Iputils(Enumerable.Range(1, 200), 300), 1010 },
        { "out of order and duplicated", Iputils([1, 3, 2, 3, 4, 5], 5), 10 },
        { "BusyBox numbers from 0", "64 bytes from 10.0.0.2: seq=0 ttl=64 time=1.1 ms\n64 bytes from 10.0.0.2: seq=1 ttl=64 time=1.0 ms\n" +
            "64 bytes from 10.0.0.2: seq=9 ttl=64 time=1.0 ms\n\n--- 10.0.0.2 ping statistics ---\n10 packets transmitted, 3 packets received, 70% packet loss\n", 80 },
        { "one reply only", Iputils([1], 50), null },
        { "ping missing in the guest", "sh: ping: not found\n", null },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void LongestGap_PingOutput_IsTheLongestRunWithoutReply(string situation, string output, double? expectedMs)
    {
        var gap = PeerProbe.LongestGap(output);

        Assert.True(expectedMs == gap?.TotalMilliseconds, $"{situation}: expected {expectedMs} ms, got {gap?.TotalMilliseconds} ms");
    }

    [Fact]
    public void Commands_QuoteNothingTheyDoNotControl()
    {
        Assert.Equal(["sh", "-c", "ping -i 0.01 -W 1 10.60.0.10 > /run/skillvl-probe-m1.log 2>&1 </dev/null & echo $!"],
            PeerProbe.StartCommand("10.60.0.10", "m1"));
        Assert.Throws<ArgumentException>(() => PeerProbe.StartCommand("10.60.0.10; reboot", "m1"));
        Assert.Throws<ArgumentException>(() => PeerProbe.StartCommand("10.60.0.10", "../x"));
        Assert.Contains("kill -INT 42", PeerProbe.StopCommand(42, "m1")[2], StringComparison.Ordinal);
    }
}
