namespace SkillVL.Core.Networking;

/// <summary>A name the router's DNS answers: a machine's or router's name and one of its static addresses.</summary>
public sealed record RouterHostSpec(string Name, string Address);
