using System.Globalization;
using System.Net;
using SkillVL.Testbed.Linux;

namespace SkillVL.Testbed;

/// <summary>
/// A prefix and an underlay subnet no interface, network namespace or address on this host uses yet, for a program
/// that brings testbeds up unattended (the bench, <c>skillvl experiment</c>). A fixed prefix met what a killed run left
/// behind (a run of the bench found <c>svlco00</c> from an interrupted one and failed in 3 s); <c>up</c> refuses names it
/// did not make, so the caller picks others.
/// </summary>
public static class FreeHostNames
{
    /// <summary>
    /// <paramref name="stem"/> (2–5 lower-case letters and digits, starting with a letter) plus three random hex digits,
    /// and a <c>198.18.X.0/24</c> with X in [<paramref name="firstOctet"/>, <paramref name="lastOctet"/>].
    /// </summary>
    public static async Task<(string Prefix, string Subnet)> PickAsync(string stem, int firstOctet, int lastOctet, CancellationToken cancellationToken)
    {
        if (stem.Length is < 2 or > 5 || !char.IsAsciiLetterLower(stem[0]) || !stem.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{stem}' is not a stem: 2-5 lower-case letters and digits, starting with a letter", nameof(stem));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(firstOctet, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastOctet, 255);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstOctet, lastOctet);

        var links = (await Iproute.LinksAsync(cancellationToken)).Select(l => l.Name).ToList();
        var namespaces = Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).ToList() : [];
        string? prefix = null;
        for (var attempt = 0; attempt < 64 && prefix is null; attempt++)
        {
            var candidate = stem + Random.Shared.Next(0x1000).ToString("x3", CultureInfo.InvariantCulture);
            if (!links.Any(l => l.StartsWith(candidate, StringComparison.Ordinal)) && !namespaces.Any(n => n!.StartsWith(candidate + "-", StringComparison.Ordinal)))
            {
                prefix = candidate;
            }
        }

        var used = (await Iproute.Ipv4AddressesAsync(cancellationToken))
            .Select(a => IPAddress.Parse(a.Address).GetAddressBytes())
            .Where(b => b[0] == 198 && b[1] == 18)
            .Select(b => (int)b[2])
            .ToHashSet();
        var free = Enumerable.Range(firstOctet, lastOctet - firstOctet + 1).Where(o => !used.Contains(o)).ToList();
        if (prefix is null || free.Count == 0)
        {
            throw TestbedException.Conflict(
                prefix is null
                    ? $"no free testbed prefix '{stem}xxx' on this host: `ip link` lists interfaces of every one tried"
                    : $"every 198.18.{firstOctet}-{lastOctet}.0/24 is in use on this host");
        }

        return (prefix, FormattableString.Invariant($"198.18.{free[Random.Shared.Next(free.Count)]}.0/24"));
    }
}
