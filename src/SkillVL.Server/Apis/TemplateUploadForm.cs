namespace SkillVL.Server.Apis;

/// <summary>The multipart form of a template upload (documents the fields in the OpenAPI document).</summary>
public sealed class TemplateUploadForm
{
    /// <summary>Template name, e.g. "debian12".</summary>
    public string Name { get; set; } = "";

    /// <summary>CPUs a machine gets when its room does not say (default 1).</summary>
    public int? DefaultCpus { get; set; }

    /// <summary>RAM in MiB a machine gets when its room does not say (default 256).</summary>
    public int? DefaultMemoryMiB { get; set; }

    /// <summary>The qcow2 image.</summary>
    public IFormFile? Disk { get; set; }
}
