using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkillVL.Drivers.Qemu.Templates;

/// <summary>
/// <c>template.json</c> as a template build writes it (images/*/build.sh) and as the store keeps it, where
/// <see cref="Sha256"/> and <see cref="SizeBytes"/> are filled in. Fields we do not know (e.g. kernelVersion)
/// are kept as they are.
/// </summary>
public sealed class TemplateManifest
{
    public string Name { get; set; } = "";

    /// <summary>"kernel" or "disk".</summary>
    public string Boot { get; set; } = "";

    /// <summary>Kernel command line for kernel boot.</summary>
    public string? Cmdline { get; set; }

    public int DefaultMemoryMiB { get; set; }

    public int DefaultCpus { get; set; }

    /// <summary>The guest runs cloud-init with the NoCloud datasource: each machine gets a seed volume (ADR 0059).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CloudInit { get; set; }

    /// <summary>How a user logs in to a machine of this template (shown where templates are listed), or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LoginHint { get; set; }

    /// <summary>File name → lowercase hex sha256 of its content.</summary>
    public Dictionary<string, string> Files { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Content address (set by the store).</summary>
    public string? Sha256 { get; set; }

    /// <summary>Bytes of all files (set by the store).</summary>
    public long? SizeBytes { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
