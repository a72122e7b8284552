using SkillVL.Core.Compute;
using SkillVL.Core.Migration;

namespace SkillVL.Core.Nodes.Protocol;

/// <summary>Parameters of the calls that take more than one value.</summary>
public static class AgentCalls
{
    public sealed record VmId(string Id);

    public sealed record Stop(string Id, StopMode Mode, TimeSpan GracefulTimeout);

    public sealed record GuestPing(string Id, TimeSpan Timeout);

    public sealed record GuestExec(string Id, IReadOnlyList<string> Command, TimeSpan Timeout);

    public sealed record NetworkId(string Id);

    public sealed record RouterId(string Id);

    /// <param name="Kind">"vnc" or "serial".</param>
    /// <param name="Session">The relay session the agent connects back to.</param>
    public sealed record ConsoleOpen(string Id, string Kind, string Session);

    /// <summary>Measure the VM <paramref name="Id"/> before a migration, sampling its dirty rate for <paramref name="Sample"/>.</summary>
    public sealed record Measure(string Id, TimeSpan Sample);

    /// <summary>Open the migration's link probe endpoint on <paramref name="ListenAddress"/>.</summary>
    public sealed record OpenLinkProbe(string MigrationId, string ListenAddress);

    /// <summary>Open the migration's rendezvous for the VM <paramref name="VmId"/> on <paramref name="ListenAddress"/> (ADR 0020).</summary>
    public sealed record OpenOutgoingRendezvous(string MigrationId, string VmId, string ListenAddress);

    /// <summary>Close the migration's link probe endpoint.</summary>
    public sealed record MigrationId(string Id);

    /// <summary>A decision of the migration policy for the source's outgoing migration of <paramref name="Id"/>.</summary>
    public sealed record ApplyDecision(string Id, MigrationDecision Decision);

    /// <summary>
    /// The answer to <see cref="AgentMethods.MigrationsPrepareIncoming"/>: where the target waits, and what the agent had
    /// to fetch first. An overlay transfer needs the template in the target's store; the agent fetches it from the
    /// Server (as it does for a new disk) before preparing, and says how many bytes that took: the migration's base
    /// bytes. 0 when the node already had it.
    /// </summary>
    /// <param name="Target">The driver's answer, unchanged.</param>
    /// <param name="BaseBytesFetched">Bytes of template files downloaded for this migration; 0 when none.</param>
    public sealed record PreparedIncoming(IncomingMigration Target, long BaseBytesFetched);
}
