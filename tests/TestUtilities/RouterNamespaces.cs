namespace SkillVL.TestUtilities;

/// <summary>
/// The room-router namespaces of one SkillVL instance on this host ("skillvl-&lt;instance&gt;-rt-&lt;id&gt;", ADR 0039), to
/// assert that none is left and to remove those a failed test left (their veths go with them).
/// </summary>
public static class RouterNamespaces
{
    public static async Task<IReadOnlyList<string>> ListAsync(string instanceId)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip netns list failed: {stderr}");
        }

        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(name => name.StartsWith($"skillvl-{instanceId}-rt-", StringComparison.Ordinal))
            .ToList();
    }

    public static async Task DeleteAllAsync(string instanceId)
    {
        foreach (var name in await ListAsync(instanceId))
        {
            await HostTools.RunAsync("ip", ["netns", "del", name], TimeSpan.FromSeconds(10));
        }
    }
}
