namespace SkillVL.Testbed.Agents;

/// <summary>The admin API token for join tokens: <c>--admin-token</c>, else the file <c>--admin-token-file</c> (the one the embedded Server writes).</summary>
internal static class AdminTokenSource
{
    /// <exception cref="TestbedException">Neither is usable; the message names the option.</exception>
    public static string Read(string? token, string file)
    {
        if (token is not null)
        {
            return token.Length > 0 ? token : throw TestbedException.Usage("--admin-token", "is empty");
        }

        string text;
        try
        {
            text = File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw TestbedException.Usage(
                "--admin-token-file",
                $"cannot read {file} ({e.Message}); start the Server (./skillvl up) or pass --admin-token, or use --no-agents");
        }

        return text.Length > 0 ? text : throw TestbedException.Usage("--admin-token-file", $"{file} is empty");
    }
}
