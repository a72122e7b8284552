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

    /// <summary>Agent → Server: what happened on the node while it decided alone (<see cref="Journal"/>, ADR 0024).</summary>
    public const string JournalReport = "journal";

    /// <summary>Server → agent: the journal is recorded up to <see cref="JournalAck"/>; the agent may forget it.</summary>
    public const string JournalAcknowledge = "journal-ack";

    public required string Type { get; init; }

    public long? Id { get; init; }

    public string? Method { get; init; }

    public JsonElement? Params { get; init; }

    public JsonElement? Result { get; init; }

    public AgentError? Error { get; init; }

    public NodeFacts? Facts { get; init; }

    /// <summary>On a hello or a heartbeat: the node's load right now (issue 14, ADR 0027). Kept out of
    /// <see cref="Facts"/>, which the Server stores, because a load is only worth its time series. An older agent sends
    /// none and an older Server ignores it (the wire change is additive).</summary>
    public NodeLoadSample? Load { get; init; }

    /// <summary>On a hello or a journal message: the node's unacknowledged local actions, oldest first. An older Server
    /// ignores the field and the type (the wire change is additive).</summary>
    public IReadOnlyList<OfflineJournalEntry>? Journal { get; init; }

    /// <summary>On a journal-ack: the highest <see cref="OfflineJournalEntry.Seq"/> the Server recorded.</summary>
    public long? JournalAck { get; init; }
}
