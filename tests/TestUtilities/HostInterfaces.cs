using System.Text.Json;

namespace SkillVL.TestUtilities;

/// <summary>Host network interfaces as tests see them (iproute2 JSON), to assert that nothing is left behind.</summary>
public static class HostInterfaces
{
    /// <summary>Names of the interfaces whose ifalias is exactly <paramref name="alias"/>.</summary>
    public static async Task<IReadOnlyList<string>> WithAliasAsync(string alias)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["-j", "link", "show"], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip -j link show failed: {stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("ifalias", out var a) && a.GetString() == alias)
            .Select(e => e.GetProperty("ifname").GetString()!)
            .ToList();
    }

    /// <summary>Names of all interfaces.</summary>
    public static async Task<IReadOnlyList<string>> AllAsync()
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["-j", "link", "show"], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip -j link show failed: {stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.EnumerateArray().Select(e => e.GetProperty("ifname").GetString()!).ToList();
    }

    /// <summary>Deletes every interface with <paramref name="alias"/> (test cleanup of its own instance only).</summary>
    public static async Task DeleteWithAliasAsync(string alias)
    {
        foreach (var name in await WithAliasAsync(alias))
        {
            await HostTools.RunAsync("ip", ["link", "del", "dev", name], TimeSpan.FromSeconds(10));
        }
    }
}
