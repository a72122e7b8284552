namespace SkillVL.Agent.Host;

/// <summary>
/// The join token from a file (<c>--join-token-file</c>): a token on the command line is in /proc/PID/cmdline, which every
/// local user can read, so the packaged agent's unit names a root-only file instead.
/// </summary>
internal static class JoinTokenFile
{
    /// <summary>
    /// The token (surrounding whitespace removed); null, after the reason was written to standard error, for a file that
    /// other users may read or write, a missing or an empty one.
    /// </summary>
    public static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"skillvl-agent: --join-token-file '{path}' does not exist.");
            return null;
        }

        const UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if ((File.GetUnixFileMode(path) & open) != 0)
        {
            await Console.Error.WriteLineAsync(
                $"skillvl-agent: --join-token-file '{path}' may be read or written by other users (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}); chmod 0600 it.");
            return null;
        }

        var token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        if (token.Length == 0 || token.Contains('\n', StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"skillvl-agent: --join-token-file '{path}' must hold one token on one line.");
            return null;
        }

        return token;
    }
}
