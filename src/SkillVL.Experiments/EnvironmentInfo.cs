using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SkillVL.Experiments;

/// <summary>
/// environment.json: what the numbers were measured on, so a reader can tell a result of another machine or version
/// apart (the issue: "a figure from another day is labelled as such").
/// </summary>
public sealed record EnvironmentInfo
{
    public const string FileName = "environment.json";

    public required string Qemu { get; init; }

    public required string Kernel { get; init; }

    public required string Cpu { get; init; }

    public required int Cores { get; init; }

    /// <summary>"tcg" or "kvm": how the guests ran.</summary>
    public required string Accelerator { get; init; }

    /// <summary>The SkillVL commit (git rev-parse HEAD of the source tree), "unknown" outside a checkout.</summary>
    public required string Commit { get; init; }

    public required string DotNet { get; init; }

    /// <summary>Data in the template's disk (allocated bytes): what the model's baseline mirrors besides the overlay.</summary>
    public long TemplateDataBytes { get; init; }

    public DateTimeOffset StartedUtc { get; init; }

    /// <summary>This machine's facts now.</summary>
    public static async Task<EnvironmentInfo> CollectAsync(string accelerator, string? sourceTree, long templateDataBytes, CancellationToken ct)
    {
        var qemu = (await OutputAsync("qemu-system-x86_64", ["--version"], ct)).Split('\n')[0];
        var commit = sourceTree is null ? "" : await OutputAsync("git", ["-C", sourceTree, "rev-parse", "--short=12", "HEAD"], ct);
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        return new EnvironmentInfo
        {
            Qemu = qemu.Length > 0 ? qemu : "unknown",
            Kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            Cpu = cpu ?? "unknown",
            Cores = Environment.ProcessorCount,
            Accelerator = accelerator,
            Commit = commit.Length > 0 ? commit : "unknown",
            DotNet = RuntimeInformation.FrameworkDescription,
            TemplateDataBytes = templateDataBytes,
            StartedUtc = DateTimeOffset.UtcNow,
        };
    }

    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, ReportWriter.Json));

    /// <summary>The environment.json in <paramref name="directory"/>, or null when there is none.</summary>
    public static EnvironmentInfo? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<EnvironmentInfo>(File.ReadAllText(path), ReportWriter.Json) : null;
    }

    /// <summary>A program's trimmed stdout; empty when it cannot run or fails (the fact is then "unknown").</summary>
    private static async Task<string> OutputAsync(string program, string[] arguments, CancellationToken ct)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 ? output.Trim() : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
