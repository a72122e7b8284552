using System.Text.Json;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// iproute2 through its JSON output (<c>ip -j</c>), which is stable across versions, unlike its text output.
/// Every call is bounded by <see cref="QemuDriverOptions.ToolTimeout"/>.
/// </summary>
public sealed class IpCommand
{
    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;

    public IpCommand(QemuDriverOptions options, ICommandRunner runner)
    {
        _options = options;
        _runner = runner;
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
            links.Add(new LinkInfo(
                element.GetProperty("ifname").GetString() ?? "",
                element.TryGetProperty("ifalias", out var alias) ? alias.GetString() : null,
                element.TryGetProperty("master", out var master) ? master.GetString() : null,
                element.TryGetProperty("mtu", out var mtu) ? mtu.GetInt32() : 0,
                element.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) ? kind.GetString() : null,
                flags.Contains("UP")));
        }

        return links;
    }

    private static bool IsMissingDevice(string stderr) =>
        stderr.Contains("does not exist", StringComparison.Ordinal) || stderr.Contains("Cannot find device", StringComparison.Ordinal);

    // The kernel answers EBUSY/EAGAIN while an interface is being torn down; worth a retry.
    private static bool IsTransient(string stderr) =>
        stderr.Contains("busy", StringComparison.OrdinalIgnoreCase) || stderr.Contains("try again", StringComparison.OrdinalIgnoreCase);
}
