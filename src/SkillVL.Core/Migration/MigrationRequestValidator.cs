using SkillVL.Core.Rooms;

namespace SkillVL.Core.Migration;

/// <summary>
/// Rejects nonsensical migration inputs with one <see cref="ValidationError"/> per field, named as the API and CLI
/// spell it (<c>maxBandwidth</c>, <c>downtimeLimit</c>, <c>link.bandwidth</c>, <c>vm.memoryBytes</c>, …), so the
/// Server can answer 400 naming the field before anything touches the VM (issue 6, "Bad input"). The model and the
/// policy call it too and throw <see cref="ArgumentException"/> with the same message.
/// </summary>
public static class MigrationRequestValidator
{
    /// <summary>QEMU's <c>downtime-limit</c> is whole milliseconds; 0 would never switch over.</summary>
    public static readonly TimeSpan MinDowntimeLimit = TimeSpan.FromMilliseconds(1);

    /// <summary>QEMU refuses a <c>downtime-limit</c> above 2000 s (MAX_MIGRATE_DOWNTIME_SECONDS, migration/options.c).</summary>
    public static readonly TimeSpan MaxDowntimeLimit = TimeSpan.FromSeconds(2000);

    /// <summary>The user's limits and the measurements together, in that order.</summary>
    public static IReadOnlyList<ValidationError> Validate(MigrationLimits limits, LinkMeasurement link, VmMigrationProfile vm) =>
        [.. ValidateLimits(limits), .. ValidateLink(link), .. ValidateVm(vm)];

    /// <summary>The user's limits (request fields).</summary>
    public static IReadOnlyList<ValidationError> ValidateLimits(MigrationLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<ValidationError>();
        if (limits.MaxBandwidth is { BytesPerSecond: <= 0 } cap)
        {
            errors.Add(new("maxBandwidth", $"must be more than 0 (got {cap.BytesPerSecond} bytes/s); leave it out for no cap"));
        }

        CheckDowntime(errors, "downtimeLimit", limits.DowntimeLimit);
        if (limits.MaxDowntime is { } maxDowntime)
        {
            if (maxDowntime < limits.DowntimeLimit)
            {
                errors.Add(new("maxDowntime",
                    $"must be at least downtimeLimit ({Milliseconds(limits.DowntimeLimit)}), got {Milliseconds(maxDowntime)}"));
            }
            else
            {
                CheckDowntime(errors, "maxDowntime", maxDowntime);
            }
        }

        if (limits.MaxTotalTime is { } total && total <= TimeSpan.Zero)
        {
            errors.Add(new("maxTotalTime", $"must be positive (got {total}); leave it out for no limit"));
        }

        return errors;
    }

    /// <summary>A link measurement.</summary>
    public static IReadOnlyList<ValidationError> ValidateLink(LinkMeasurement link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var errors = new List<ValidationError>();
        if (link.Bandwidth.BytesPerSecond <= 0)
        {
            errors.Add(new("link.bandwidth", $"must be more than 0 (got {link.Bandwidth.BytesPerSecond} bytes/s): nothing can cross the link"));
        }

        if (link.RoundTripTime < TimeSpan.Zero)
        {
            errors.Add(new("link.roundTripTime", $"must not be negative (got {link.RoundTripTime})"));
        }

        if (!(link.LossRatio is >= 0 and < 1))
        {
            errors.Add(new("link.lossRatio", $"must be a fraction from 0 up to, not including, 1 (got {link.LossRatio}; 0.01 = 1 %)"));
        }

        return errors;
    }

    /// <summary>The VM's sizes and rates.</summary>
    public static IReadOnlyList<ValidationError> ValidateVm(VmMigrationProfile vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var errors = new List<ValidationError>();
        if (vm.MemoryBytes <= 0)
        {
            errors.Add(new("vm.memoryBytes", $"must be more than 0 (got {vm.MemoryBytes})"));
        }

        if (vm.NonZeroMemoryBytes is { } nonZero && (nonZero < 0 || nonZero > vm.MemoryBytes))
        {
            errors.Add(new("vm.nonZeroMemoryBytes", $"must be from 0 to memoryBytes ({vm.MemoryBytes}), got {nonZero}"));
        }

        NotNegative(errors, "vm.dirtyRate", vm.DirtyRate.BytesPerSecond, "bytes/s");
        NotNegative(errors, "vm.overlayBytes", vm.OverlayBytes, "bytes");
        NotNegative(errors, "vm.baseImageBytes", vm.BaseImageBytes, "bytes");
        NotNegative(errors, "vm.diskWriteRate", vm.DiskWriteRate.BytesPerSecond, "bytes/s");
        if (!(vm.CompressionRatio >= 1) || double.IsInfinity(vm.CompressionRatio))
        {
            errors.Add(new("vm.compressionRatio", $"must be a finite number of at least 1 (1 = incompressible), got {vm.CompressionRatio}"));
        }

        return errors;
    }

    /// <summary>The model's settings.</summary>
    public static IReadOnlyList<ValidationError> ValidateSettings(PreCopySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<ValidationError>();
        if (settings.BandwidthCap is { BytesPerSecond: <= 0 } cap)
        {
            errors.Add(new("settings.bandwidthCap", $"must be more than 0 (got {cap.BytesPerSecond} bytes/s)"));
        }

        CheckDowntime(errors, "settings.downtimeLimit", settings.DowntimeLimit);
        if (settings.MultifdChannels < 0)
        {
            errors.Add(new("settings.multifdChannels", $"must not be negative (got {settings.MultifdChannels}); 0 = multifd off"));
        }

        if (settings.MaxIterations < 1)
        {
            errors.Add(new("settings.maxIterations", $"must be at least 1 (got {settings.MaxIterations})"));
        }

        if (!(settings.Efficiency is > 0 and <= 1))
        {
            errors.Add(new("settings.efficiency", $"must be more than 0 and at most 1 (got {settings.Efficiency})"));
        }

        if (settings.ResumeTime < TimeSpan.Zero)
        {
            errors.Add(new("settings.resumeTime", $"must not be negative (got {settings.ResumeTime})"));
        }

        return errors;
    }

    /// <exception cref="ArgumentException">One or more errors; the message lists them as "field: message".</exception>
    internal static void ThrowIfInvalid(IReadOnlyList<ValidationError> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }
    }

    private static void CheckDowntime(List<ValidationError> errors, string field, TimeSpan value)
    {
        if (value < MinDowntimeLimit)
        {
            errors.Add(new(field, $"must be at least 1 ms (got {Milliseconds(value)}): QEMU sets it in whole milliseconds"));
        }
        else if (value > MaxDowntimeLimit)
        {
            errors.Add(new(field, $"must be at most 2000 s, the most QEMU accepts (got {Milliseconds(value)})"));
        }
    }

    private static void NotNegative(List<ValidationError> errors, string field, long value, string unit)
    {
        if (value < 0)
        {
            errors.Add(new(field, $"must not be negative (got {value} {unit})"));
        }
    }

    private static string Milliseconds(TimeSpan value) =>
        value.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " ms";
}
