namespace SkillVL.Cli.Tests;

internal sealed record RecordedRequest(string Method, Uri Uri, string? ContentType, string? Body, string? Authorization);
