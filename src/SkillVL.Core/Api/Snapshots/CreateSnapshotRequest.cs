namespace SkillVL.Core.Api.Snapshots;

/// <summary><c>POST …/machines/{machine}/snapshots</c> (or <c>/rooms/{room}/snapshots</c> for every machine of the room).</summary>
/// <param name="Name">A slug: lower-case letters, digits and inner hyphens, at most 32 characters.</param>
/// <param name="Ram">With the guest's memory, so running processes come back on revert (the machine must run);
/// default false: the disk only.</param>
public sealed record CreateSnapshotRequest(string? Name, bool? Ram);
