namespace SkillVL.Cli;

/// <summary>A failure the CLI explains itself: the message is printed as is and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
