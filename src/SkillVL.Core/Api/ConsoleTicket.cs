namespace SkillVL.Core.Api;

/// <summary>
/// A short-lived, single-use ticket for one console session. Open <see cref="Url"/> as a WebSocket (binary frames
/// both ways: RFB for "vnc", SPICE for "spice" — one WebSocket per SPICE channel, all at this URL, ADR 0056 — raw bytes
/// for "serial") before <see cref="ExpiresAt"/>.
/// </summary>
public sealed record ConsoleTicket(string Url, string Protocol, DateTimeOffset ExpiresAt);
