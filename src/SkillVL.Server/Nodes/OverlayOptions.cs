using System.ComponentModel.DataAnnotations;

namespace SkillVL.Server.Nodes;

/// <summary>Section "SkillVL:Overlay": the VXLAN overlay between nodes.</summary>
public sealed class OverlayOptions
{
    /// <summary>First VNI of the pool. Default 10000.</summary>
    [Range(1, 16777215)]
    public int VniFirst { get; set; } = 10000;

    /// <summary>Last VNI of the pool. Default 16777215 (the VXLAN maximum).</summary>
    [Range(1, 16777215)]
    public int VniLast { get; set; } = 16777215;

    /// <summary>UDP port of the tunnels. Default 4789 (IANA).</summary>
    public int Port { get; set; } = 4789;
}
