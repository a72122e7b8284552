using System.ComponentModel.DataAnnotations;

namespace SkillVL.Server.Templates;

/// <summary>Settings of templates (section "SkillVL:Templates").</summary>
public sealed class TemplateOptions
{
    /// <summary>
    /// Largest virtual size, in bytes, a template's disk may declare (default 1 TiB = 1099511627776). An upload over
    /// it is refused (400 naming <c>disk</c>) and a stored template over it is marked unusable at start: every machine's
    /// overlay may grow to the template's size, so an absurd one would fill the node's disk from inside a guest. The
    /// upload's file size is limited separately by <c>SkillVL:MaxTemplateUploadBytes</c>.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxVirtualSizeBytes { get; set; } = 1L << 40;
}
