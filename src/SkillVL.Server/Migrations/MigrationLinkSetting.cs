namespace SkillVL.Server.Migrations;

/// <summary>A configured link: bandwidth and round trip as text ("50Mbit", "40ms"), loss as a fraction.</summary>
public sealed class MigrationLinkSetting
{
    public string Bandwidth { get; set; } = "1Gbit";

    public string Rtt { get; set; } = "1ms";

    public double Loss { get; set; }
}
