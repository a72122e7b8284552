namespace SkillVL.Server.Data;

/// <summary>A machine of a room: desired (spec, power) and observed (state, guest readiness) in one row.</summary>
public sealed class MachineEntity
{
    public required string Id { get; set; }

    public required string RoomId { get; set; }

    public required string Name { get; set; }

    public required string TemplateName { get; set; }

    /// <summary>Resolved at apply time, so a rebuilt template does not change existing machines' base.</summary>
    public required string TemplateSha256 { get; set; }

    public int Cpus { get; set; }

    public long MemoryBytes { get; set; }

    public required string NodeName { get; set; }

    /// <summary><see cref="MachineStates.Running"/> or <see cref="MachineStates.Stopped"/>.</summary>
    public required string DesiredState { get; set; }

    /// <summary>Bumped to ask for a restart; part of the spec hash, so a running VM with an old nonce is restarted.</summary>
    public int RestartNonce { get; set; }

    public string ObservedState { get; set; } = MachineStates.Stopped;

    /// <summary>The spec hash the running VM was started with; differs from the desired one until a restart.</summary>
    public string? ObservedSpecHash { get; set; }

    /// <summary>The guest agent answered and the room's addresses were applied for <see cref="ConfiguredBootId"/>.</summary>
    public bool GuestReady { get; set; }

    public string? ConfiguredBootId { get; set; }

    public int ConsecutiveFailures { get; set; }

    public string? LastError { get; set; }

    /// <summary>The client node the machine is checked out to (ADR 0023); null: not checked out. While set, the machine
    /// runs there and <see cref="CheckoutRetainedOn"/> keeps the copy of its disk a check-in returns to.</summary>
    public string? CheckoutNode { get; set; }

    /// <summary>The server node holding the retained copy (the node the check-out left).</summary>
    public string? CheckoutRetainedOn { get; set; }

    /// <summary>When the check-out's switch-over happened.</summary>
    public DateTimeOffset? CheckoutSince { get; set; }

    /// <summary>When the last successful sync into the retained copy ended; null: none yet.</summary>
    public DateTimeOffset? CheckoutLastSyncAt { get; set; }

    /// <summary>Bytes the client's dirty bitmap marked when last asked; null: not known (the client was not reachable).</summary>
    public long? CheckoutUnsyncedBytes { get; set; }

    /// <summary>Bytes all syncs of this check-out copied into the retained copy.</summary>
    public long CheckoutSyncedBytes { get; set; }

    /// <summary>The machine's check-out epoch (ADR 0025): raised by each check-out and each revive; a client's copy of an
    /// older epoch is fenced. Kept after the check-out ends, so epochs only grow.</summary>
    public int CheckoutEpoch { get; set; }

    /// <summary>When the check-out's lease runs out as the Server counts it (the client's answer to the last renewal +
    /// the lease); null: no renewal answered yet.</summary>
    public DateTimeOffset? CheckoutLeaseExpiresAt { get; set; }

    public List<NicEntity> Nics { get; set; } = [];
}
