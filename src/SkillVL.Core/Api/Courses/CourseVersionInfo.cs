namespace SkillVL.Core.Api.Courses;

/// <summary>A published room definition. Publishing makes instances for students who have none.</summary>
/// <param name="InstancesCreated">Instances created by this publish.</param>
public sealed record CourseVersionInfo(int Version, string RoomName, DateTimeOffset PublishedAt, int InstancesCreated);
