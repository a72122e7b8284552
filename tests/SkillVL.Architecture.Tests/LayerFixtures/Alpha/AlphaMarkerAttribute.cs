namespace SkillVL.Architecture.Tests.LayerFixtures.Alpha;

/// <summary>Gamma uses Alpha through this attribute only.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AlphaMarkerAttribute : Attribute;
