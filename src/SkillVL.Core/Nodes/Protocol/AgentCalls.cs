using SkillVL.Core.Compute;

namespace SkillVL.Core.Nodes.Protocol;

/// <summary>Parameters of the calls that take more than one value.</summary>
public static class AgentCalls
{
    public sealed record VmId(string Id);

    public sealed record Stop(string Id, StopMode Mode, TimeSpan GracefulTimeout);

    public sealed record GuestPing(string Id, TimeSpan Timeout);

    public sealed record GuestExec(string Id, IReadOnlyList<string> Command, TimeSpan Timeout);

    public sealed record NetworkId(string Id);

    /// <param name="Kind">"vnc" or "serial".</param>
    /// <param name="Session">The relay session the agent connects back to.</param>
    public sealed record ConsoleOpen(string Id, string Kind, string Session);
}
