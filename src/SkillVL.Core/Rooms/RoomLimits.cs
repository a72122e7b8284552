namespace SkillVL.Core.Rooms;

/// <summary>
/// How large one room may be: counts and text lengths the schema leaves open. They bound what a single request
/// can make a host do (every network is a bridge, every NIC a tap) and what the database stores for it. The
/// Server takes them from its options (SkillVL:Limits); <see cref="Default"/> is what it uses when none are set.
/// </summary>
/// <param name="MaxMachines">Machines in one room.</param>
/// <param name="MaxNetworks">Networks in one room.</param>
/// <param name="MaxNicsPerMachine">NICs of one machine (each is a tap on the host).</param>
/// <param name="MaxDescriptionLength">Characters of metadata.description (prose shown in lists).</param>
/// <param name="MaxTextLength">Characters of any other free text: template names, node label keys and values.</param>
/// <param name="MaxNodeLabels">Entries of one machine's nodeLabels.</param>
public sealed record RoomLimits(
    int MaxMachines,
    int MaxNetworks,
    int MaxNicsPerMachine,
    int MaxDescriptionLength,
    int MaxTextLength,
    int MaxNodeLabels)
{
    /// <summary>
    /// Generous for a teaching lab (a routing exercise rarely has more than a dozen machines or networks) and
    /// small enough that one room cannot make hundreds of bridges or taps.
    /// </summary>
    public static RoomLimits Default { get; } = new(
        MaxMachines: 32,
        MaxNetworks: 16,
        MaxNicsPerMachine: 8,
        MaxDescriptionLength: 4096,
        MaxTextLength: 128,
        MaxNodeLabels: 16);
}
