namespace SkillVL.Core.Api;

/// <summary>The answer to a template upload.</summary>
/// <param name="Template">The template as listed now (its <c>sha256</c> is the content address over its files).</param>
/// <param name="DiskSha256">sha256 of the uploaded qcow2 as received (what `sha256sum disk.qcow2` prints).</param>
/// <param name="DiskBytes">Bytes received.</param>
public sealed record TemplateUploadInfo(TemplateInfo Template, string DiskSha256, long DiskBytes);
