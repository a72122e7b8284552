using System.Text;

namespace SkillVL.Core.Compute;

/// <summary>
/// The shell script the control plane runs in a guest through its agent (guest-exec) to apply the room's
/// addressing: hostname, and per NIC (found by MAC, since guest interface names are not ours to choose)
/// MTU, address and link state. Re-running it is harmless: it flushes before it adds. See docs/adr/0002.
/// </summary>
public static class GuestNetworkScript
{
    public static IReadOnlyList<string> Command(string hostname, IReadOnlyList<NicSpec> nics) =>
        ["/bin/sh", "-c", Build(hostname, nics)];

    public static string Build(string hostname, IReadOnlyList<NicSpec> nics)
    {
        // Names and addresses were validated (DNS labels, IPv4, MACs we generate), so quoting is for safety only.
        var script = new StringBuilder()
            .AppendLine("set -e")
            .AppendLine("ip link set dev lo up")
            .AppendLine($"hostname {Quote(hostname)}")
            .AppendLine($"echo {Quote(hostname)} > /etc/hostname")
            .AppendLine("cfg() {")
            .AppendLine("  for d in /sys/class/net/*; do")
            .AppendLine("    if [ \"$(cat \"$d/address\")\" = \"$1\" ]; then")
            .AppendLine("      i=\"${d##*/}\"")
            .AppendLine("      ip link set dev \"$i\" mtu \"$2\"")
            .AppendLine("      ip addr flush dev \"$i\"")
            .AppendLine("      if [ -n \"$3\" ]; then ip addr add \"$3\" dev \"$i\"; fi")
            .AppendLine("      ip link set dev \"$i\" up")
            .AppendLine("      return 0")
            .AppendLine("    fi")
            .AppendLine("  done")
            .AppendLine("  echo \"no interface with MAC $1\" >&2")
            .AppendLine("  return 1")
            .AppendLine("}");
        foreach (var nic in nics)
        {
            script.AppendLine($"cfg {Quote(nic.MacAddress.ToLowerInvariant())} {nic.Mtu} {Quote(nic.IpAddress ?? "")}");
        }

        return script.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
