using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Tests.Fakes;

/// <summary>Records every tool invocation and answers from a script; unscripted calls succeed with no output.</summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly Func<string, IReadOnlyList<string>, CommandResult?> _script;

    public FakeCommandRunner(Func<string, IReadOnlyList<string>, CommandResult?>? script = null)
    {
        _script = script ?? ((_, _) => null);
    }

    public List<string> Calls { get; } = [];

    public Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(fileName + " " + string.Join(' ', arguments));
        }

        return Task.FromResult(_script(fileName, arguments) ?? new CommandResult(0, "", ""));
    }
}
