using System.Text.Json;

namespace SkillVL.Testbed.Linux;

/// <summary>iproute2 (<c>ip</c>) calls and what the testbed reads back from them (JSON output).</summary>
internal static class Iproute
{
    private const string NamespaceDirectory = "/run/netns";

    /// <summary>Runs <c>ip ARGS</c>; throws with its stderr on failure.</summary>
    public static Task<string> RunAsync(CancellationToken cancellationToken, params string[] arguments) =>
        HostCommand.RunCheckedAsync("ip", arguments, cancellationToken);

    /// <summary>Runs <c>ip ARGS</c> and returns the result whatever it is.</summary>
    public static Task<CommandResult> TryAsync(CancellationToken cancellationToken, params string[] arguments) =>
        HostCommand.RunAsync("ip", arguments, HostCommand.DefaultTimeout, cancellationToken);

    /// <summary>The interfaces of the root namespace.</summary>
    public static async Task<IReadOnlyList<HostLink>> LinksAsync(CancellationToken cancellationToken)
    {
        var json = await RunAsync(cancellationToken, "-j", "link", "show");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(e => new HostLink(
                e.GetProperty("ifname").GetString()!,
                e.TryGetProperty("ifalias", out var alias) ? alias.GetString() : null,
                e.TryGetProperty("master", out var master) ? master.GetString() : null,
                e.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP")))
            .ToList();
    }

    /// <summary>Every IPv4 address of the root namespace with the interface that has it.</summary>
    public static async Task<IReadOnlyList<(string Interface, string Address)>> Ipv4AddressesAsync(CancellationToken cancellationToken)
    {
        var json = await RunAsync(cancellationToken, "-j", "-4", "address", "show");
        using var document = JsonDocument.Parse(json);
        var addresses = new List<(string, string)>();
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("addr_info", out var infos))
            {
                continue;
            }

            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("local", out var local) && local.GetString() is { } address)
                {
                    addresses.Add((link.GetProperty("ifname").GetString()!, address));
                }
            }
        }

        return addresses;
    }

    /// <summary>Whether the named network namespace exists (<c>ip netns</c> keeps a bind mount per name in /run/netns).</summary>
    public static bool NamespaceExists(string name) => File.Exists(Path.Combine(NamespaceDirectory, name));

    /// <summary>
    /// Turns IPv6 off on <paramref name="interfaceName"/> of the root namespace, so the host gets no link-local
    /// address on the underlay and sends no router solicitations or MLD reports into it. A kernel without IPv6
    /// has no such file: nothing to turn off.
    /// </summary>
    public static async Task DisableIpv6Async(string interfaceName, CancellationToken cancellationToken)
    {
        var path = $"/proc/sys/net/ipv6/conf/{interfaceName}/disable_ipv6";
        if (File.Exists(path))
        {
            await File.WriteAllTextAsync(path, "1\n", cancellationToken);
        }
    }
}
