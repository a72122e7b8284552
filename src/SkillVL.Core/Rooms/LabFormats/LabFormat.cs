namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>The peers' lab formats a room can be imported from (research/peer-platforms.md §5).</summary>
public enum LabFormat
{
    /// <summary>containerlab's <c>*.clab.yml</c> topology.</summary>
    Containerlab,

    /// <summary>KYPO / CRCZP's sandbox <c>topology.yml</c>.</summary>
    Kypo,

    /// <summary>Ludus's <c>range-config.yml</c>.</summary>
    Ludus,
}
