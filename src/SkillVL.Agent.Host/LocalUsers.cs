using System.Diagnostics;
using System.Globalization;

namespace SkillVL.Agent.Host;

/// <summary>Resolves <c>--local-user</c> through the system's user database (getent passwd, so NSS sources count too).</summary>
public static class LocalUsers
{
    /// <summary>The uid of a user name or numeric uid that exists; null when none does.</summary>
    public static async Task<uint?> UidOfAsync(string user, CancellationToken cancellationToken)
    {
        using var getent = Process.Start(new ProcessStartInfo("getent", ["passwd", user]) { RedirectStandardOutput = true, UseShellExecute = false });
        if (getent is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var line = await getent.StandardOutput.ReadToEndAsync(timeout.Token);
        await getent.WaitForExitAsync(timeout.Token);
        var fields = line.Split(':');
        return getent.ExitCode == 0 && fields.Length > 2 && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : null;
    }
}
