namespace SkillVL.Experiments;

/// <summary>A spec that cannot run, with every problem found, each starting with the field's path
/// (<c>factors.ram[2]: "8x" is not a size</c>), so the author fixes them all in one go.</summary>
public sealed class ExperimentSpecException : Exception
{
    public ExperimentSpecException()
        : this([])
    {
    }

    public ExperimentSpecException(string message)
        : this([message])
    {
    }

    public ExperimentSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ExperimentSpecException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors ?? []))
    {
        Errors = errors ?? [];
    }

    public IReadOnlyList<string> Errors { get; }
}
