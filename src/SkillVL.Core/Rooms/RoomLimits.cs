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
/// <param name="MaxChecks">Checks of one room (each runs a command in a guest when a student asks).</param>
/// <param name="MaxCheckTextLength">Characters of a check's run line and of its expected output.</param>
public sealed record RoomLimits(
    int MaxMachines,
    int MaxNetworks,
    int MaxNicsPerMachine,
    int MaxDescriptionLength,
    int MaxTextLength,
    int MaxNodeLabels,
    int MaxChecks = 32,
    int MaxCheckTextLength = 1024)
{
    /// <summary>
    /// Generous for a teaching lab (a routing exercise rarely has more than a dozen machines or networks) and
    /// small enough that one room cannot make hundreds of bridges or taps. 32 checks cover an exercise of several
    /// steps per machine; 1024 characters hold any shell line a teacher writes by hand.
    /// </summary>
    public static RoomLimits Default { get; } = new(
        MaxMachines: 32,
        MaxNetworks: 16,
        MaxNicsPerMachine: 8,
        MaxDescriptionLength: 4096,
        MaxTextLength: 128,
        MaxNodeLabels: 16,
        MaxChecks: 32,
        MaxCheckTextLength: 1024);
}
