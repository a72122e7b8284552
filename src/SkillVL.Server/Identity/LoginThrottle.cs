using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Identity;

/// <summary>
/// Who may try a password now (ADR 0015). In memory: a restart forgets the counts, which costs an attacker one
/// restart of ours per few guesses — not something they control. One lock: an attempt is three dictionary
/// look-ups, and logins are rare next to the password hash they guard.
/// </summary>
public sealed class LoginThrottle(IOptions<SkillVlServerOptions> settings, TimeProvider time)
{
    /// <summary>Above this many remembered keys, forgotten ones are swept out on the next failure.</summary>
    private const int SweepAbove = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FailureCount> _pairs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FailureCount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FailureCount> _addresses = new(StringComparer.Ordinal);

    private LoginThrottleOptions Options => settings.Value.Auth.LoginThrottle;

    /// <summary>
    /// Starts an attempt: null when it may check the password, else how long it must wait. An attempt that goes
    /// ahead is counted as a failure at once, so a burst of parallel guesses cannot all slip past the check
    /// before the first of them is counted; <see cref="Succeeded"/> takes it back.
    /// </summary>
    public TimeSpan? TryBegin(string username, IPAddress? address)
    {
        var (account, from) = (AccountKey(username), AddressKey(address));
        var pair = account + "\n" + from;
        var now = time.GetUtcNow();
        var options = Options;
        lock (_gate)
        {
            var accountCount = Current(_accounts, account, now, options);
            var pairCount = Current(_pairs, pair, now, options);
            var pairFree = accountCount.Failures >= options.AccountAlarmFailures ? options.PairFreeFailuresUnderAttack : options.PairFreeFailures;
            var wait = Max(
                LoginBackoffPolicy.RetryAfter(pairCount, pairFree, now, options),
                LoginBackoffPolicy.RetryAfter(Current(_addresses, from, now, options), options.AddressFreeFailures, now, options));
            if (wait is not null)
            {
                return wait;
            }

            if (_pairs.Count + _accounts.Count + _addresses.Count > SweepAbove)
            {
                Sweep(now, options);
            }

            Count(_pairs, pair, now, options, +1);
            Count(_accounts, account, now, options, +1);
            Count(_addresses, from, now, options, +1);
            return null;
        }
    }

    /// <summary>The password was right: the pair starts afresh and the attempt no longer counts anywhere.</summary>
    public void Succeeded(string username, IPAddress? address)
    {
        var (account, from) = (AccountKey(username), AddressKey(address));
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _pairs.Remove(account + "\n" + from);
            Count(_accounts, account, now, Options, -1);
            Count(_addresses, from, now, Options, -1);
        }
    }

    /// <summary>Usernames are lower-case; the cut keeps an attacker's long junk names from costing memory.</summary>
    private static string AccountKey(string username)
    {
        var key = username.Trim().ToLowerInvariant();
        return key.Length > 64 ? key[..64] : key;
    }

    /// <summary>
    /// IPv4 as is; IPv6 by its /64, since one host commonly owns a whole /64 and could otherwise take a fresh
    /// address for every guess.
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static FailureCount Current(Dictionary<string, FailureCount> counts, string key, DateTimeOffset now, LoginThrottleOptions options) =>
        counts.TryGetValue(key, out var count) && !LoginBackoffPolicy.IsForgotten(count, now, options) ? count : default;

    private static void Count(Dictionary<string, FailureCount> counts, string key, DateTimeOffset now, LoginThrottleOptions options, int change)
    {
        var current = Current(counts, key, now, options);
        var failures = current.Failures + change;
        if (failures <= 0)
        {
            counts.Remove(key);
        }
        else
        {
            // A success taking its attempt back leaves the time of the last real failure alone.
            counts[key] = new FailureCount(failures, change > 0 ? now : current.LastFailure);
        }
    }

    private void Sweep(DateTimeOffset now, LoginThrottleOptions options)
    {
        foreach (var counts in new[] { _pairs, _accounts, _addresses })
        {
            foreach (var key in counts.Where(e => LoginBackoffPolicy.IsForgotten(e.Value, now, options)).Select(e => e.Key).ToList())
            {
                counts.Remove(key);
            }
        }
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
