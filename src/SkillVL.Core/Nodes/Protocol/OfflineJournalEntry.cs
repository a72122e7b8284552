namespace SkillVL.Core.Nodes.Protocol;

/// <summary>
/// One thing a node did with a VM on its own — its owner stopped or started it through the local control socket, or the
/// agent brought it back after the machine restarted — kept until the Server acknowledges it (ADR 0024).
/// </summary>
/// <param name="Seq">Increasing per node, never reused; the Server's acknowledgement names the highest it recorded.</param>
/// <param name="At">When it happened, by the node's clock.</param>
/// <param name="VmId">Platform id of the machine.</param>
/// <param name="Vm">The machine's name in its room, as the node knew it.</param>
/// <param name="Action">One of <see cref="OfflineActions"/>.</param>
/// <param name="By">Who: <c>uid 1000 (alice)</c> for a local caller, <c>agent</c> for a restore.</param>
/// <param name="Offline">Whether the agent had no connection to the Server at that moment.</param>
/// <param name="Detail">What went wrong, when it failed; null when it worked.</param>
public sealed record OfflineJournalEntry(
    long Seq,
    DateTimeOffset At,
    string VmId,
    string Vm,
    string Action,
    string By,
    bool Offline,
    string? Detail = null);
