using System.Text.Json;

namespace SkillVL.Core.Nodes.Protocol;

/// <summary>
/// One message on the agent connection (a WebSocket the agent opens to the Server, so it works behind NAT).
/// The Server calls the agent ("request" → "response", matched by <see cref="Id"/>); the agent says "hello" once
/// and then sends a "heartbeat" with its facts every few seconds.
/// </summary>
public sealed record AgentMessage
{
    public const string Request = "request";
    public const string Response = "response";
    public const string Hello = "hello";
    public const string Heartbeat = "heartbeat";

    public required string Type { get; init; }

    public long? Id { get; init; }

    public string? Method { get; init; }

    public JsonElement? Params { get; init; }

    public JsonElement? Result { get; init; }

    public AgentError? Error { get; init; }

    public NodeFacts? Facts { get; init; }
}
