namespace SkillVL.Core.Api;

/// <summary>A room whose machines use a template (the 409 of a template delete lists them as <c>usedBy</c>).</summary>
public sealed record TemplateUser(string Room, string Owner, IReadOnlyList<string> Machines);
