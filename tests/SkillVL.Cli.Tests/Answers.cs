using System.Net;
using System.Text;
using System.Text.Json;
using SkillVL.Cli.Http;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Tests;

/// <summary>Responses as the server sends them (web JSON defaults, RFC 7807 problems).</summary>
internal static class Answers
{
    public static readonly DateTimeOffset Now = new(2025, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static HttpResponseMessage Json(HttpStatusCode status, object value) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(value, ApiJson.Options), Encoding.UTF8, "application/json"),
    };

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, string? detail = null, object? errors = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110",
            ["title"] = title,
            ["status"] = (int)status,
            ["detail"] = detail,
        };
        if (errors is not null)
        {
            body["errors"] = errors;
        }

        return new HttpResponseMessage(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, ApiJson.Options), Encoding.UTF8, "application/problem+json"),
        };
    }

    /// <summary>An OAuth error answer from a token endpoint (RFC 6749 §5.2).</summary>
    public static HttpResponseMessage OAuthError(string error, string? description = null) => new(HttpStatusCode.BadRequest)
    {
        Content = new StringContent(
            JsonSerializer.Serialize(new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description }),
            Encoding.UTF8,
            "application/json"),
    };

    /// <summary>A JSON body written as is (snake_case OAuth answers).</summary>
    public static HttpResponseMessage RawJson(HttpStatusCode status, string json) => new(status)
    {
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
    };

    public static UserInfo User(string username, string role = PlatformRoles.Student, QuotaLimits? quotaOverride = null) =>
        new($"u-{username}", username, null, role, "local", Now.AddDays(-2), quotaOverride);

    public static MeInfo Me(string username = "alice", string role = PlatformRoles.Teacher, string authenticatedBy = "oidc") => new(
        User(username, role) with { DisplayName = "Alice Example" },
        authenticatedBy,
        ["read", "write"],
        new QuotaUsage(new QuotaLimits(8, 8L << 30, null, 4), 2, 2L << 30, 20L << 30, 1));

    public static CourseInfo Course(string name = "net101") =>
        new($"c-{name}", name, "Networking 101", "alice", 3, 2, new QuotaLimits(Cpus: 24), Now.AddDays(-7));

    public static CourseInstanceInfo Instance(string student, int version = 2) =>
        new($"r-{student}", "net-basics", student, version, "Ready", 2, 1);

    public static TaskInfo Task(string id, string state, double progress, string? outcome = null, params string[] log) => new(
        id,
        "room.apply",
        "room/net-basics",
        state,
        progress,
        Now,
        TaskStates.IsFinal(state) ? Now.AddSeconds(5) : null,
        outcome,
        log.Select((message, i) => new TaskLogLine(Now.AddSeconds(i), message)).ToList());
}
