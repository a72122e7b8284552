namespace SkillVL.Core.Api.Courses;

/// <summary>A published room definition. Publishing makes instances for students who have none.</summary>
/// <param name="InstancesCreated">Instances created by this publish.</param>
/// <param name="Problems">Students who got no instance, and why (e.g. no node has the memory); null when none.</param>
public sealed record CourseVersionInfo(int Version, string RoomName, DateTimeOffset PublishedAt, int InstancesCreated, IReadOnlyList<string>? Problems = null);
