using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Templates;

/// <summary>
/// Inspects a template's disk before it becomes a template (and every stored one at start): the qcow2 header read
/// by us, then <c>qemu-img info --backing-chain</c> and <c>qemu-img check</c>, each bounded by
/// <see cref="QemuDriverOptions.ToolTimeout"/>; <see cref="TemplateDiskPolicy"/> decides.
/// </summary>
/// <remarks>
/// The order matters. <c>--backing-chain</c> opens every backing file (a <c>json:</c> one included) to describe it,
/// and as root that means <c>/etc/shadow</c>; <c>qemu-img info</c> alone does not, but an older <c>qemu-img</c>
/// opens an external data file while it opens the image (CVE-2024-4467). So the header decides first, from bytes
/// we read ourselves, and <c>qemu-img</c> only ever sees a disk that names no other file: for it the chain is the
/// disk alone, which the check then confirms. <c>-f qcow2</c> means no format probing; <c>-U</c> (force-share)
/// lets the start-up check read a template that running machines hold open as their backing file.
/// </remarks>
public sealed class TemplateDiskInspector
{
    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;

    public TemplateDiskInspector(QemuDriverOptions options, ICommandRunner runner, ILogger<TemplateDiskInspector> logger)
    {
        _options = options;
        _runner = runner;
        _logger = logger;
    }

    /// <summary>What is wrong with <paramref name="disk"/> as a template (phrased to follow "disk"), or null.</summary>
    public async Task<string?> InspectAsync(string disk, CancellationToken cancellationToken)
    {
        var problem = await InspectCoreAsync(disk, cancellationToken);
        if (problem is not null)
        {
            _logger.TemplateDiskRefused(disk, problem);
        }

        return problem;
    }

    /// <summary>The header check alone: cheap (one read), for every use of a stored template.</summary>
    public static string? CheckHeader(string disk) => TemplateDiskPolicy.CheckHeader(ReadHead(disk));

    /// <summary>The argv of <c>qemu-img info</c> for the inspection.</summary>
    public static IReadOnlyList<string> InfoArguments(string disk) =>
        ["info", "-U", "-f", "qcow2", "--output=json", "--backing-chain", disk];

    /// <summary>The argv of <c>qemu-img check</c> for the inspection (read-only: without <c>-r</c> it repairs nothing).</summary>
    public static IReadOnlyList<string> CheckArguments(string disk) =>
        ["check", "-U", "-f", "qcow2", "--output=json", disk];

    private async Task<string?> InspectCoreAsync(string disk, CancellationToken cancellationToken)
    {
        if (TemplateDiskPolicy.CheckHeader(ReadHead(disk)) is { } headerProblem)
        {
            return headerProblem;
        }

        var info = await RunAsync(InfoArguments(disk), cancellationToken);
        if (!info.Succeeded)
        {
            return $"is corrupt or no qcow2 image: qemu-img cannot open it ({Without(disk, TemplateDiskPolicy.FirstLine(info.StandardError))}).";
        }

        if (TemplateDiskPolicy.CheckInfo(info.StandardOutput, _options.MaxTemplateVirtualSizeBytes) is { } infoProblem)
        {
            return infoProblem;
        }

        var check = await RunAsync(CheckArguments(disk), cancellationToken);
        return TemplateDiskPolicy.CheckConsistency(check.ExitCode, check.StandardOutput, Without(disk, check.StandardError));
    }

    private async Task<CommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await _runner.RunAsync(_options.QemuImgBinary, arguments, _options.ToolTimeout, cancellationToken);
        }
        catch (DriverException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout or a missing qemu-img: the disk is not known to be safe, so it is not one (fail closed).
            return new CommandResult(-1, "", e.Message);
        }
    }

    /// <summary>qemu-img names the file by its path in the store's staging directory; the caller knows which disk.</summary>
    private static string Without(string disk, string message) => message.Replace($"'{disk}'", "the disk", StringComparison.Ordinal).Replace(disk, "the disk", StringComparison.Ordinal);

    private static byte[] ReadHead(string disk)
    {
        using var handle = File.OpenHandle(disk, FileMode.Open, FileAccess.Read);
        var buffer = new byte[(int)Math.Min(TemplateDiskPolicy.HeadBytes, RandomAccess.GetLength(handle))];
        var have = 0;
        while (have < buffer.Length && RandomAccess.Read(handle, buffer.AsSpan(have), have) is > 0 and var read)
        {
            have += read;
        }

        return have == buffer.Length ? buffer : buffer[..have];
    }
}
