using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>qcow2 images through <c>qemu-img</c>: linked clones of template disks, inspection, deletion.</summary>
public sealed class QcowImageTool
{
    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;

    public QcowImageTool(QemuDriverOptions options, ICommandRunner runner, ILogger<QcowImageTool> logger)
    {
        _options = options;
        _runner = runner;
        _logger = logger;
    }

    /// <summary>
    /// Creates <paramref name="overlay"/> as a qcow2 whose backing file is <paramref name="baseImage"/>: the VM
    /// writes only to its overlay, the template stays untouched and is shared by every clone. The backing
    /// path is absolute so the overlay does not depend on the working directory. Written to a temporary name
    /// and renamed, so a crash never leaves a half-made disk under the real name. Does nothing if the
    /// overlay exists.
    /// </summary>
    public async Task CreateLinkedCloneAsync(string baseImage, string overlay, CancellationToken cancellationToken)
    {
        if (File.Exists(overlay))
        {
            return;
        }

        if (!Path.IsPathFullyQualified(baseImage))
        {
            throw new ArgumentException($"The base image path must be absolute: {baseImage}", nameof(baseImage));
        }

        if (!File.Exists(baseImage))
        {
            throw new DriverException($"The template disk {baseImage} does not exist.", isTransient: false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(overlay)!);
        var temporary = overlay + ".tmp";
        File.Delete(temporary);
        var result = await _runner.RunAsync(
            _options.QemuImgBinary,
            CreateArguments(baseImage, temporary),
            _options.ToolTimeout,
            cancellationToken);
        if (!result.Succeeded)
        {
            File.Delete(temporary);
            throw new DriverException($"qemu-img create of {overlay} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        File.Move(temporary, overlay, overwrite: false);
        _logger.DiskCreated(overlay, baseImage);
    }

    /// <summary>
    /// Creates <paramref name="image"/> as an empty standalone qcow2 of <paramref name="virtualSizeBytes"/> (the
    /// target of a full-disk mirror). Written to a temporary name and renamed; does nothing if it exists.
    /// </summary>
    public async Task CreateEmptyAsync(string image, long virtualSizeBytes, CancellationToken cancellationToken)
    {
        if (File.Exists(image))
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(virtualSizeBytes);
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        var temporary = image + ".tmp";
        File.Delete(temporary);
        var result = await _runner.RunAsync(
            _options.QemuImgBinary,
            ["create", "-q", "-f", "qcow2", temporary, virtualSizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            _options.ToolTimeout,
            cancellationToken);
        if (!result.Succeeded)
        {
            File.Delete(temporary);
            throw new DriverException($"qemu-img create of {image} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        File.Move(temporary, image, overwrite: false);
        _logger.DiskCreated(image, "(none)");
    }

    /// <summary>The argv of <c>qemu-img create</c> for a linked clone (the backing format is stated, never probed).</summary>
    public static IReadOnlyList<string> CreateArguments(string baseImage, string overlay) =>
        ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", baseImage, overlay];

    /// <summary>Reads an image's facts. <c>-U</c> (force-share) lets it read an image a running QEMU holds locked.</summary>
    public async Task<QcowImageInfo> InfoAsync(string image, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(
            _options.QemuImgBinary,
            ["info", "-U", "--output=json", image],
            _options.ToolTimeout,
            cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"qemu-img info of {image} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        return ParseInfo(result.StandardOutput);
    }

    /// <summary>Deletes an image; a missing one is fine (idempotent).</summary>
    public void Delete(string image)
    {
        if (File.Exists(image))
        {
            File.Delete(image);
            _logger.DiskDeleted(image);
        }
    }

    /// <summary>Parses <c>qemu-img info --output=json</c> of a single image.</summary>
    public static QcowImageInfo ParseInfo(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var backing = root.TryGetProperty("full-backing-filename", out var full) ? full.GetString()
                : root.TryGetProperty("backing-filename", out var relative) ? relative.GetString()
                : null;
            return new QcowImageInfo(
                root.GetProperty("format").GetString() ?? "",
                root.GetProperty("virtual-size").GetInt64(),
                root.TryGetProperty("actual-size", out var actual) ? actual.GetInt64() : 0,
                backing,
                root.TryGetProperty("backing-filename-format", out var backingFormat) ? backingFormat.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DriverException($"qemu-img info printed JSON we cannot read: {e.Message}", isTransient: false, e);
        }
    }
}
