using System.Text;

namespace SkillVL.Core.Compute;

/// <summary>
/// The shell script the control plane runs in a guest through its agent (guest-exec) to apply the room's
/// addressing: hostname, and per NIC (found by MAC, since guest interface names are not ours to choose)
/// MTU, address and link state. Re-running it is harmless: a NIC with an address is flushed before the
/// address is added. See docs/adr/0002.
/// </summary>
/// <remarks>
/// The platform configures only what the room says (issue 18): a NIC without an address gets the network's
/// MTU and is brought up, but its addresses are never flushed, so a lease from DHCP or an address the
/// student set by hand survives the script, which runs again after every boot. A default gateway, when
/// the room gives the machine one, is replaced rather than added for the same reason: re-running is harmless;
/// when the room no longer gives one, the run removes the platform's own default route and resolv.conf (by
/// protocol number and marker line), so a gateway dropped by an apply goes without a reboot.
/// </remarks>
public static class GuestNetworkScript
{
    /// <summary>The route protocol of the default route the platform sets (unassigned in iproute2's rt_protos).</summary>
    public const int RouteProtocol = 91;

    /// <summary>The first line of a resolv.conf the platform wrote.</summary>
    public const string ResolvConfMarker = "# written by SkillVL: the room DNS (ADR 0039)";

    public static IReadOnlyList<string> Command(
        string hostname, IReadOnlyList<NicSpec> nics, string? defaultGateway = null, string? nameServer = null) =>
        ["/bin/sh", "-c", Build(hostname, nics, defaultGateway, nameServer)];

    /// <param name="hostname">The machine's name.</param>
    /// <param name="nics">The NICs; those without an address are left unaddressed and never flushed.</param>
    /// <param name="defaultGateway">The room's default gateway for the machine (RoomRouting.DefaultGateway); null: none of the platform's.</param>
    /// <param name="nameServer">The room's name server for the machine (RoomRouting.NameServer); null: none of the platform's.</param>
    public static string Build(string hostname, IReadOnlyList<NicSpec> nics, string? defaultGateway = null, string? nameServer = null)
    {
        // Names and addresses were validated (DNS labels, IPv4, MACs we generate), so quoting is for safety only.
        var script = new StringBuilder()
            .AppendLine("set -e")
            .AppendLine("ip link set dev lo up")
            .AppendLine($"hostname {Quote(hostname)}")
            .AppendLine($"echo {Quote(hostname)} > /etc/hostname")
            .AppendLine("nic() {")
            .AppendLine("  for d in /sys/class/net/*; do")
            .AppendLine("    if [ \"$(cat \"$d/address\")\" = \"$1\" ]; then")
            .AppendLine("      echo \"${d##*/}\"")
            .AppendLine("      return 0")
            .AppendLine("    fi")
            .AppendLine("  done")
            .AppendLine("  echo \"no interface with MAC $1\" >&2")
            .AppendLine("  return 1")
            .AppendLine("}")
            .AppendLine("cfg() {")
            .AppendLine("  i=\"$(nic \"$1\")\"")
            .AppendLine("  ip link set dev \"$i\" mtu \"$2\"")
            .AppendLine("  ip addr flush dev \"$i\"")
            .AppendLine("  ip addr add \"$3\" dev \"$i\"")
            .AppendLine("  ip link set dev \"$i\" up")
            .AppendLine("}")
            .AppendLine("keep() {")
            .AppendLine("  i=\"$(nic \"$1\")\"")
            .AppendLine("  ip link set dev \"$i\" mtu \"$2\"")
            .AppendLine("  ip link set dev \"$i\" up")
            .AppendLine("}");
        foreach (var nic in nics)
        {
            var mac = Quote(nic.MacAddress.ToLowerInvariant());
            script.AppendLine(nic.IpAddress is { } address
                ? $"cfg {mac} {nic.Mtu} {Quote(address)}"
                : $"keep {mac} {nic.Mtu}");
        }

        // The platform's default route carries its own protocol number, so a later run without a gateway (the room
        // dropped it) removes exactly that route and never one a DHCP lease or the student added (ADR 0039).
        script.AppendLine(defaultGateway is not null
            ? $"ip route replace default via {Quote(defaultGateway)} proto {RouteProtocol}"
            // "No such process" (there is none of ours) is the expected failure; busybox ip cannot list by protocol to ask first.
            : $"ip route del default proto {RouteProtocol} 2>/dev/null || :");

        if (nameServer is not null)
        {
            // Written whole each time, so a re-run is harmless; only when the room has DNS on the machine's network.
            // The marker line lets a run without a name server remove the file this script wrote, and only that one.
            script.AppendLine($"printf '%s\\nnameserver %s\\n' {Quote(ResolvConfMarker)} {Quote(nameServer)} > /etc/resolv.conf");
        }
        else
        {
            script.AppendLine($"if [ \"$(head -n 1 /etc/resolv.conf 2>/dev/null)\" = {Quote(ResolvConfMarker)} ]; then rm -f /etc/resolv.conf; fi");
        }

        return script.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
