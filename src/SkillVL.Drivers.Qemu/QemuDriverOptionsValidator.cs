using Microsoft.Extensions.Options;
using SkillVL.Drivers.Qemu.Accelerators;

namespace SkillVL.Drivers.Qemu;

/// <summary>Validates <see cref="QemuDriverOptions"/> at start (register with <c>ValidateOnStart</c>).</summary>
public sealed class QemuDriverOptionsValidator : IValidateOptions<QemuDriverOptions>
{
    /// <summary>
    /// sun_path is 108 bytes including the terminating NUL; the longest socket we create is
    /// <c>&lt;runtime&gt;/vms/&lt;12 hex&gt;/serial.sock</c>, 32 bytes past the runtime directory.
    /// </summary>
    internal const int MaxRuntimeDirectoryLength = 107 - 32;

    public ValidateOptionsResult Validate(string? name, QemuDriverOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory) || !Path.IsPathFullyQualified(options.DataDirectory))
        {
            failures.Add($"{nameof(options.DataDirectory)} must be an absolute path.");
        }

        if (string.IsNullOrWhiteSpace(options.RuntimeDirectory) || !Path.IsPathFullyQualified(options.RuntimeDirectory))
        {
            failures.Add($"{nameof(options.RuntimeDirectory)} must be an absolute path.");
        }
        else if (Path.TrimEndingDirectorySeparator(options.RuntimeDirectory).Length > MaxRuntimeDirectoryLength)
        {
            failures.Add(
                $"{nameof(options.RuntimeDirectory)} must be at most {MaxRuntimeDirectoryLength} characters: unix socket paths are limited to 107 bytes.");
        }

        if (string.IsNullOrEmpty(options.InstanceId)
            || options.InstanceId.Length > 48
            || !options.InstanceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            failures.Add($"{nameof(options.InstanceId)} must be 1-48 letters, digits, '-' or '_'.");
        }

        if (options.VmNetwork is not (QemuDriverOptions.BridgeNetworking or QemuDriverOptions.StreamNetworking))
        {
            failures.Add($"{nameof(options.VmNetwork)} must be {QemuDriverOptions.BridgeNetworking} or {QemuDriverOptions.StreamNetworking}.");
        }

        if (options.DiskStore is not (QemuDriverOptions.FileDisks or QemuDriverOptions.RbdDisks))
        {
            failures.Add($"{nameof(options.DiskStore)} must be {QemuDriverOptions.FileDisks} or {QemuDriverOptions.RbdDisks}.");
        }
        else if (options.UsesRbd)
        {
            failures.AddRange(Disks.Rbd.RbdSettings.Validate(options));
        }

        if (AcceleratorModes.Parse(options.Accelerator) is null)
        {
            failures.Add($"{nameof(options.Accelerator)} must be auto, kvm or tcg.");
        }

        if (options.CpuModel is { } cpu && (cpu.Length is 0 or > 64 || !cpu.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add($"{nameof(options.CpuModel)} must be a QEMU CPU model name (1-64 letters, digits, '-', '_' or '.'), e.g. qemu64-v1.");
        }

        if (options.TcgTranslationBlockCacheMiB is < 1 or > 4096)
        {
            failures.Add($"{nameof(options.TcgTranslationBlockCacheMiB)} must be between 1 and 4096.");
        }

        foreach (var (field, value) in new[]
                 {
                     (nameof(options.GracefulStopTimeout), options.GracefulStopTimeout),
                     (nameof(options.QmpCommandTimeout), options.QmpCommandTimeout),
                     (nameof(options.LaunchTimeout), options.LaunchTimeout),
                     (nameof(options.ToolTimeout), options.ToolTimeout),
                     (nameof(options.AcceleratorProbeTimeout), options.AcceleratorProbeTimeout),
                     (nameof(options.CephConnectTimeout), options.CephConnectTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{field} must be positive.");
            }
        }

        if (options.MaxTemplateVirtualSizeBytes <= 0)
        {
            failures.Add($"{nameof(options.MaxTemplateVirtualSizeBytes)} must be positive.");
        }

        foreach (var (field, value) in new[]
                 {
                     (nameof(options.QemuBinary), options.QemuBinary),
                     (nameof(options.QemuImgBinary), options.QemuImgBinary),
                     (nameof(options.IpBinary), options.IpBinary),
                     (nameof(options.MachineType), options.MachineType),
                     (nameof(options.SetprivBinary), options.SetprivBinary),
                     (nameof(options.SetsidBinary), options.SetsidBinary),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{field} must not be empty.");
            }
        }

        // A user name as useradd accepts it (no ':' or ',' that would break /etc/passwd or setpriv's arguments).
        if (options.RunAsUser.Length > 32
            || options.RunAsUser.StartsWith('-')
            || !options.RunAsUser.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            failures.Add($"{nameof(options.RunAsUser)} must be empty (root) or a user name of at most 32 lowercase letters, digits, '-' or '_'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when the options are not valid.</summary>
    public static void ThrowIfInvalid(QemuDriverOptions options)
    {
        var result = new QemuDriverOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(
                nameof(QemuDriverOptions), typeof(QemuDriverOptions), result.Failures ?? []);
        }
    }
}
