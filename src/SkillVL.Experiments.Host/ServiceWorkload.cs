using System.Globalization;

namespace SkillVL.Experiments.Host;

/// <summary>
/// The service workload (<c>workload: service</c>, busybox only): busybox httpd in the migrating guest (vm1), and on a
/// peer VM of the room, which does not move (on the source node, or with <c>vxlan: off</c> on the target), a client that sends one HTTP GET at a time (at most about ten a
/// second) and logs when each was sent and answered on the peer's monotonic clock. The peer's clock never pauses (the
/// peer does not move), so the log shows the service's latency and its gap through the switch-over.
/// </summary>
/// <remarks>
/// The tiny guest's busybox <c>date</c> has no nanoseconds, so the client reads the kernel's monotonic clock from
/// /proc/timer_list ("now at N nsecs") inside one awk process; each request is a <c>wget</c> started by awk's
/// <c>system()</c>, so a latency includes forking sh and wget in the peer: the same offset before,
/// during and after the move, which the "before" phase shows. A request not answered in 2 s is killed and counts as an
/// error.
/// </remarks>
public static class ServiceWorkload
{
    public const string PeerName = "peer";

    /// <summary>The peer's address on the room's lan (the moving VMs are 10.0.0.11 and up).</summary>
    public const string PeerIp = "10.0.0.200";

    /// <summary>vm1's address on the room's lan: the service the client times.</summary>
    public const string ServiceIp = "10.0.0.11";

    private const string Log = "/tmp/service-client.log";

    /// <summary>How long the client runs before the move, and after it, so both phases have requests.</summary>
    public static readonly TimeSpan Around = TimeSpan.FromSeconds(5);

    /// <summary>Starts busybox httpd (it daemonises) serving a two-byte page.</summary>
    public const string Server = "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && httpd -p 80 -h /tmp/www";

    /// <summary>The peer's monotonic clock in microseconds, as the client reads it.</summary>
    public const string Stamp = "awk '/^now at / { printf \"%.0f\\n\", $3 / 1000; exit }' /proc/timer_list";

    /// <summary>What the client logged so far.</summary>
    public const string Collect = "cat " + Log;

    /// <summary>Starts the client in the background (the exec returns at once).</summary>
    public static string Client() => string.Create(CultureInfo.InvariantCulture, $$"""
        cat > /tmp/client.awk <<'EOF'
        function now(  line, a, v) {
          v = -1
          while ((getline line < "/proc/timer_list") > 0) if (line ~ /^now at /) { split(line, a, " "); v = a[3] / 1000; break }
          close("/proc/timer_list")
          return v
        }
        BEGIN {
          while (1) {
            t0 = now(); rc = system("timeout 2 wget -q -O /dev/null http://{{ServiceIp}}/ 2>/dev/null"); t1 = now()
            printf "%.0f %.0f %d\n", t0, t1, rc; fflush()
            system("usleep 100000")
          }
        }
        EOF
        awk -f /tmp/client.awk </dev/null >{{Log}} 2>/dev/null &
        """);

    /// <summary>The room's peer machine.</summary>
    /// <param name="node">node1 (the source) for <c>vxlan: on</c>, laptop1 (the target) for <c>off</c>.</param>
    public static string PeerYaml(string template, string node) =>
        $"  - {{ name: {PeerName}, template: {template}, memory: {ExperimentLimits.PeerRamBytes >> 20}Mi, node: {node}, nics: [{{ network: lan, ip: {PeerIp} }}] }}";
}
