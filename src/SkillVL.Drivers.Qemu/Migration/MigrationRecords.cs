using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.Migration;

/// <summary>
/// <c>incoming.json</c> in the data directory of a VM being received. Written before anything else is made for it,
/// so <see cref="QemuMigrationDriver.AbortIncomingAsync"/> can tell a half-made incoming VM (remove it) from a VM
/// that runs here for real (never touch it). Removed when the VM resumes here.
/// </summary>
/// <param name="MigrationId">The migration it belongs to.</param>
/// <param name="Target">Where the target waits (null until it listens).</param>
/// <param name="CreatedAt">When the target was prepared.</param>
/// <param name="Offline">An offline move: the guest stays paused at completion (never run here).</param>
public sealed record IncomingRecord(string MigrationId, IncomingMigration? Target, DateTimeOffset CreatedAt, bool Offline = false);

/// <summary>
/// <c>outgoing.json</c> in the runtime directory of a VM being sent: the request (so the RAM phase uses the same
/// parameters as the disk phase) and what has been started. Removed when the migration is completed or cancelled.
/// </summary>
/// <param name="Request">The source's request.</param>
/// <param name="StartedAt">When the disk mirror started: the migration's elapsed time counts from here.</param>
/// <param name="RamStarted">Whether <c>migrate</c> was issued.</param>
public sealed record OutgoingRecord(OutgoingMigrationRequest Request, DateTimeOffset StartedAt, bool RamStarted);
