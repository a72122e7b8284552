namespace SkillVL.Core.Api;

/// <summary>The observed state of one machine.</summary>
/// <param name="State">"stopped", "starting", "running", "stopping", "crashed", "error".</param>
/// <param name="DesiredState">"running" or "stopped".</param>
/// <param name="GuestReady">The guest agent answered and the room's addresses were applied in the guest.</param>
/// <param name="Checkout">Where the machine is checked out (ADR 0023); null: it is not.</param>
/// <param name="FencedCopies">Clients' copies set aside after a revive (ADR 0025); null or empty: none.</param>
/// <param name="Viewers">Other users' consoles open on the machine now (ADR 0050): a teacher watching is never hidden from
/// the student. Only in the answers about one room or machine; null elsewhere.</param>
public sealed record MachineStatus(
    string Id,
    string Name,
    string Node,
    string State,
    string DesiredState,
    bool GuestReady,
    int Cpus,
    long MemoryBytes,
    IReadOnlyList<NicStatus> Nics,
    string? LastError,
    Checkouts.CheckoutInfo? Checkout = null,
    IReadOnlyList<Checkouts.FencedCopyInfo>? FencedCopies = null,
    IReadOnlyList<ConsoleViewer>? Viewers = null);
