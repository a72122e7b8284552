using System.Text.Json;

namespace SkillVL.Core.Api.Experiments;

/// <summary>One experiment run for reading: its environment, its report's Markdown and the plots it references.</summary>
/// <param name="Summary">What the list shows of it.</param>
/// <param name="Environment">environment.json as written (QEMU, kernel, CPU, commit …), or null when absent or unreadable.</param>
/// <param name="Report">report.md's Markdown text, or null when absent or unreadable.</param>
/// <param name="Plots">The .png and .svg files under plots/, by name, sorted; fetch each from the plot route.</param>
/// <param name="Notes">What was left out and why (a file over its size limit, a symlink, JSON that does not parse).</param>
public sealed record ExperimentDetails(
    ExperimentSummary Summary,
    JsonElement? Environment,
    string? Report,
    IReadOnlyList<string> Plots,
    IReadOnlyList<string> Notes);
