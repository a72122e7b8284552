namespace SkillVL.Core.Api.Identity;

/// <summary>One line of the append-only audit log.</summary>
/// <param name="Action">e.g. "POST /api/v1/rooms/{room}/start", "exec", "login".</param>
/// <param name="Target">The object acted on, e.g. "room=lab1 machine=web".</param>
/// <param name="Outcome">HTTP status code, or "ok"/"failed" with a reason.</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? UserId,
    string? Username,
    string? Role,
    string Action,
    string? Target,
    string? RemoteAddress,
    string Outcome,
    string? Detail);
