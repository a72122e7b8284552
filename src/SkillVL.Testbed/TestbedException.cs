namespace SkillVL.Testbed;

/// <summary>
/// A testbed operation that cannot go on, with the exit code it maps to. <see cref="Option"/> names the
/// command-line option at fault when there is one (<c>--nodes</c>), so the message can start with it.
/// </summary>
public sealed class TestbedException : Exception
{
    public TestbedException(int exitCode, string message, string? option = null, Exception? innerException = null)
        : base(option is null ? message : $"{option}: {message}", innerException)
    {
        ExitCode = exitCode;
        Option = option;
    }

    public TestbedException()
        : this(ExitCodes.Error, "testbed error")
    {
    }

    public TestbedException(string message)
        : this(ExitCodes.Error, message)
    {
    }

    public TestbedException(string message, Exception innerException)
        : this(ExitCodes.Error, message, null, innerException)
    {
    }

    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }

    /// <summary>The option at fault (e.g. <c>--bandwidth</c>), or null.</summary>
    public string? Option { get; }

    public static TestbedException Usage(string option, string message) => new(ExitCodes.Usage, message, option);

    public static TestbedException Conflict(string message) => new(ExitCodes.Conflict, message);
}
