using System.Net;
using System.Text;
using System.Text.Json;
using SkillVL.Cli.Http;
using SkillVL.Core.Api;

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
