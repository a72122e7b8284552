namespace SkillVL.Core.Api;

/// <summary>Run a program in a guest through its agent.</summary>
/// <param name="Command">Program and arguments (not a shell line; use ["/bin/sh","-c","..."] for one).</param>
/// <param name="Timeout">How long to wait for it; default 30 s, at most 10 min.</param>
public sealed record ExecRequest(IReadOnlyList<string> Command, TimeSpan? Timeout);
