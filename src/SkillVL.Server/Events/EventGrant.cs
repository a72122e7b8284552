namespace SkillVL.Server.Events;

/// <summary>What an event stream ticket stands for: the user, and the bearer credential it was issued on (never logged).</summary>
public sealed record EventGrant(string UserId, string Credential, DateTimeOffset ExpiresAt)
{
    /// <summary>No credential in ToString (records print every property).</summary>
    public override string ToString() => $"EventGrant {{ UserId = {UserId}, ExpiresAt = {ExpiresAt:O} }}";
}
