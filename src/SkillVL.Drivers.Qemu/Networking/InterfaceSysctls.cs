using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// Per-interface kernel settings under /proc/sys/net (what <c>sysctl -w</c> writes, without a process).
/// The root is a parameter so tests can point it at a directory of their own.
/// </summary>
public sealed class InterfaceSysctls
{
    private readonly Action<Action>? _writeContext;

    /// <param name="root">Where the sysctl tree is (default /proc/sys).</param>
    /// <param name="writeContext">
    /// Runs the writes of one <see cref="Isolate"/> call; null runs them on the calling thread. /proc/sys/net shows
    /// the network namespace of the calling <em>thread</em>, so a caller that drives interfaces in another
    /// namespace (through <c>ip netns exec</c>, as the overlay integration tests' simulated nodes do) passes one
    /// that runs them on a thread inside that namespace. A node agent runs inside its node's namespace and
    /// needs none.
    /// </param>
    public InterfaceSysctls(string root = "/proc/sys", Action<Action>? writeContext = null)
    {
        Root = root;
        _writeContext = writeContext;
    }

    public string Root { get; }

    /// <summary>
    /// Keeps the host off a room network: no IPv6 on the interface (so no link-local address, router
    /// solicitation or MLD from the host), and for a bridge also no IPv4 forwarding of anything that arrives
    /// on it and no ARP replies for the host's addresses, so a guest can neither find nor use the host as a
    /// router towards the uplink.
    /// </summary>
    public void Isolate(string interfaceName, bool isBridge)
    {
        if (_writeContext is null)
        {
            Write(interfaceName, isBridge);
        }
        else
        {
            _writeContext(() => Write(interfaceName, isBridge));
        }
    }

    private void Write(string interfaceName, bool isBridge)
    {
        // Missing when the host runs without IPv6 altogether; then there is nothing to disable.
        TryWrite($"net/ipv6/conf/{interfaceName}/disable_ipv6", "1", required: false);
        if (isBridge)
        {
            TryWrite($"net/ipv4/conf/{interfaceName}/forwarding", "0", required: true);
            // 8: "do not reply for local addresses" (Documentation/networking/ip-sysctl.rst).
            TryWrite($"net/ipv4/conf/{interfaceName}/arp_ignore", "8", required: true);
        }
    }

    private void TryWrite(string key, string value, bool required)
    {
        var path = Path.Combine(Root, key);
        if (!File.Exists(path))
        {
            if (required)
            {
                throw new DriverException($"Cannot isolate the interface: {path} does not exist.", isTransient: true);
            }

            return;
        }

        File.WriteAllText(path, value + "\n");
    }
}
