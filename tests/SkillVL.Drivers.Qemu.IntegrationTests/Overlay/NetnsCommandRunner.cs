using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// Runs every tool of the driver inside a network namespace (<c>ip netns exec NS tool args</c>), so one test
/// process can drive the real network driver of several simulated nodes. Test-only: a node agent runs inside
/// its node's namespace and needs no prefix.
/// </summary>
public sealed class NetnsCommandRunner : ICommandRunner
{
    private readonly ICommandRunner _inner;
    private readonly string _namespace;

    public NetnsCommandRunner(ICommandRunner inner, string networkNamespace)
    {
        _inner = inner;
        _namespace = networkNamespace;
    }

    public Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken) =>
        _inner.RunAsync("ip", ["netns", "exec", _namespace, fileName, .. arguments], timeout, cancellationToken);
}
