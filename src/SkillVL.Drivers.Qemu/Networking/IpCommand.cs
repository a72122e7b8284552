using System.Text.Json;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// iproute2 through its JSON output (<c>ip -j</c>, <c>bridge -j</c>), which is stable across versions, unlike
/// its text output. Every call is bounded by <see cref="QemuDriverOptions.ToolTimeout"/>.
/// </summary>
public sealed class IpCommand
{
    /// <summary>The all-zeros MAC: a VXLAN FDB entry with it is a default destination for floods and unknown unicast.</summary>
    public const string FloodMac = "00:00:00:00:00:00";

    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly string _bridgeBinary;

    public IpCommand(QemuDriverOptions options, ICommandRunner runner)
    {
        _options = options;
        _runner = runner;
        _bridgeBinary = BridgeBinaryBeside(options.IpBinary);
    }

    /// <summary>
    /// <c>bridge</c> ships in iproute2 beside <c>ip</c>: an absolute <see cref="QemuDriverOptions.IpBinary"/>
    /// means the one in the same directory, a bare name the one on PATH.
    /// </summary>
    public static string BridgeBinaryBeside(string ipBinary)
    {
        var directory = Path.GetDirectoryName(ipBinary);
        return string.IsNullOrEmpty(directory) ? "bridge" : Path.Combine(directory, "bridge");
    }

    /// <summary>Runs <c>ip &lt;arguments&gt;</c>; a failure becomes a <see cref="DriverException"/> with ip's message.</summary>
    public async Task RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(_options.IpBinary, arguments, _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(
                $"ip {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}",
                isTransient: IsTransient(result.StandardError));
        }
    }

    /// <summary>Every interface on the host (in this network namespace).</summary>
    public async Task<IReadOnlyList<LinkInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(_options.IpBinary, ["-j", "-d", "link", "show"], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"ip link show failed: {result.StandardError.Trim()}", isTransient: true);
        }

        return ParseLinks(result.StandardOutput);
    }

    /// <summary>One interface, or null when it does not exist.</summary>
    public async Task<LinkInfo?> ShowAsync(string name, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(
            _options.IpBinary, ["-j", "-d", "link", "show", "dev", name], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            if (IsMissingDevice(result.StandardError))
            {
                return null;
            }

            throw new DriverException($"ip link show dev {name} failed: {result.StandardError.Trim()}", isTransient: true);
        }

        var links = ParseLinks(result.StandardOutput);
        return links.Count > 0 ? links[0] : null;
    }

    /// <summary>Deletes an interface; a missing one is fine (idempotent).</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(_options.IpBinary, ["link", "del", "dev", name], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded && !IsMissingDevice(result.StandardError))
        {
            throw new DriverException($"ip link del dev {name} failed: {result.StandardError.Trim()}", isTransient: true);
        }
    }

    /// <summary>
    /// The remote VTEPs of <paramref name="vxlanDevice"/>'s all-zeros FDB entries (<c>bridge -j fdb show dev</c>),
    /// i.e. where it replicates broadcasts, multicasts and unknown unicast to.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListFloodDestinationsAsync(string vxlanDevice, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(
            _bridgeBinary, ["-j", "fdb", "show", "dev", vxlanDevice], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"bridge fdb show dev {vxlanDevice} failed: {result.StandardError.Trim()}", isTransient: true);
        }

        return ParseFloodDestinations(result.StandardOutput);
    }

    /// <summary>Adds <paramref name="destination"/> to the device's flood list (one more all-zeros entry).</summary>
    public async Task AppendFloodDestinationAsync(string vxlanDevice, string destination, CancellationToken cancellationToken)
    {
        // "append", not "add": every entry has the same (all-zeros) MAC, and only append adds a second destination to it.
        string[] arguments = ["fdb", "append", FloodMac, "dev", vxlanDevice, "dst", destination];
        var result = await _runner.RunAsync(_bridgeBinary, arguments, _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(
                $"bridge {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}",
                isTransient: IsTransient(result.StandardError));
        }
    }

    /// <summary>Removes <paramref name="destination"/> from the device's flood list; a missing entry is fine (idempotent).</summary>
    public async Task DeleteFloodDestinationAsync(string vxlanDevice, string destination, CancellationToken cancellationToken)
    {
        string[] arguments = ["fdb", "del", FloodMac, "dev", vxlanDevice, "dst", destination];
        var result = await _runner.RunAsync(_bridgeBinary, arguments, _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded && !result.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
        {
            throw new DriverException(
                $"bridge {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}",
                isTransient: IsTransient(result.StandardError));
        }
    }

    /// <summary>Parses <c>bridge -j fdb show dev X</c> into the destinations of its all-zeros entries.</summary>
    public static IReadOnlyList<string> ParseFloodDestinations(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("mac", out var mac) && mac.GetString() == FloodMac)
            .Select(e => e.TryGetProperty("dst", out var dst) ? dst.GetString() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Parses <c>ip -j -d link show</c>.</summary>
    public static IReadOnlyList<LinkInfo> ParseLinks(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var links = new List<LinkInfo>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var flags = element.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            var hasInfo = element.TryGetProperty("linkinfo", out var info);
            var kind = hasInfo && info.TryGetProperty("info_kind", out var k) ? k.GetString() : null;
            links.Add(new LinkInfo(
                element.GetProperty("ifname").GetString() ?? "",
                element.TryGetProperty("ifalias", out var alias) ? alias.GetString() : null,
                element.TryGetProperty("master", out var master) ? master.GetString() : null,
                element.TryGetProperty("mtu", out var mtu) ? mtu.GetInt32() : 0,
                kind,
                flags.Contains("UP"),
                kind == "vxlan" && info.TryGetProperty("info_data", out var data) ? ParseVxlan(data) : null));
        }

        return links;
    }

    private static VxlanLinkInfo ParseVxlan(JsonElement data) => new(
        data.TryGetProperty("id", out var id) ? id.GetInt32() : 0,
        data.TryGetProperty("local", out var local) ? local.GetString() : null,
        data.TryGetProperty("port", out var port) ? port.GetInt32() : 0,
        // iproute2 prints "learning" as a boolean; absent would mean an old ip that cannot tell, treated as the kernel default (on).
        !data.TryGetProperty("learning", out var learning) || learning.ValueKind != JsonValueKind.False);

    private static bool IsMissingDevice(string stderr) =>
        stderr.Contains("does not exist", StringComparison.Ordinal) || stderr.Contains("Cannot find device", StringComparison.Ordinal);

    // The kernel answers EBUSY/EAGAIN while an interface is being torn down; worth a retry.
    private static bool IsTransient(string stderr) =>
        stderr.Contains("busy", StringComparison.OrdinalIgnoreCase) || stderr.Contains("try again", StringComparison.OrdinalIgnoreCase);
}
