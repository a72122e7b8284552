using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms;

/// <summary>A network of the room as the validator knows it after checking the networks.</summary>
/// <param name="Index">Where the network is declared (its first declaration, if the name repeats).</param>
/// <param name="Cidr">Its CIDR when that is usable for address checks; null when the CIDR has its own error.</param>
internal sealed record KnownNetwork(int Index, Ipv4Cidr? Cidr);
