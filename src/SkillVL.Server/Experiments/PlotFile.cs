namespace SkillVL.Server.Experiments;

/// <summary>A plot opened for sending (the caller disposes <see cref="Content"/>), or why it is not sent.</summary>
public sealed record PlotFile(Stream? Content, string ContentType, string? Refused);
