namespace SkillVL.Server.Consoles;

/// <summary>What <see cref="ConsoleRendezvous.TryOffer"/> made of an agent's connection.</summary>
public enum ConsoleOffer
{
    /// <summary>Paired with the waiting session.</summary>
    Accepted,

    /// <summary>No such session waits (never expected, already paired, or over).</summary>
    UnknownSession,

    /// <summary>The session waits for another node; it keeps waiting for that one.</summary>
    WrongNode,
}
