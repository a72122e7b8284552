using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Templates;

namespace SkillVL.Drivers.Qemu.Templates;

/// <summary>
/// Templates on the local filesystem, each in <c>&lt;data&gt;/templates/&lt;sha256&gt;/</c> under its content
/// address. Content addressing lets a node tell, by name alone, whether it already has a base image (so a
/// migrating VM moves only its overlay) and makes imports idempotent.
/// </summary>
public sealed class FileTemplateStore : ITemplateStore
{
    public const string ManifestFileName = "template.json";
    public const string DiskFileName = "disk.qcow2";
    public const string KernelFileName = "vmlinuz";
    public const string InitrdFileName = "initrd.img";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string _root;
    private readonly TemplateDiskInspector _inspector;
    private readonly ILogger _logger;

    public FileTemplateStore(QemuDriverOptions options, TemplateDiskInspector inspector, ILogger<FileTemplateStore> logger)
    {
        _root = Path.Combine(options.DataDirectory, "templates");
        _inspector = inspector;
        _logger = logger;
    }

    public async Task<IReadOnlyList<TemplateImage>> ListAsync(CancellationToken cancellationToken)
    {
        var templates = new List<TemplateImage>();
        if (!Directory.Exists(_root))
        {
            return templates;
        }

        foreach (var directory in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var address = Path.GetFileName(directory);
            if (!IsSha256(address))
            {
                continue; // e.g. an import in progress
            }

            var manifest = await ReadManifestAsync(Path.Combine(directory, ManifestFileName), cancellationToken);
            if (manifest is not null)
            {
                templates.Add(ToImage(manifest, address));
            }
        }

        return templates;
    }

    public async Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(Path.Combine(sourceDirectory, ManifestFileName), cancellationToken)
            ?? throw new DriverException($"{sourceDirectory} has no {ManifestFileName}.", isTransient: false);
        Validate(manifest, sourceDirectory);
        var address = ContentAddress(manifest.Files);
        var target = Path.Combine(_root, address);
        if (File.Exists(Path.Combine(target, ManifestFileName)))
        {
            // Stored by an older version, perhaps, which did not inspect disks: the same bytes get no free pass.
            await RefuseUnsafeDiskAsync(Path.Combine(target, DiskFileName), cancellationToken);
            _logger.TemplateAlreadyPresent(manifest.Name, address);
            return (await ReadManifestAsync(Path.Combine(target, ManifestFileName), cancellationToken)) is { } stored
                ? ToImage(stored, address)
                : throw new DriverException($"Template {address} in the store has an unreadable manifest.", isTransient: false);
        }

        Directory.CreateDirectory(_root);
        // Import into a temporary directory and rename it into place: the rename is atomic, so a template
        // directory under its address is always complete, and a crash leaves only a ".import-*" to sweep.
        var staging = Path.Combine(_root, ".import-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            long size = 0;
            foreach (var (name, expected) in manifest.Files)
            {
                var actual = await CopyAndHashAsync(Path.Combine(sourceDirectory, name), Path.Combine(staging, name), cancellationToken);
                if (!string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    throw new DriverException(
                        $"Template {manifest.Name}: {name} has sha256 {actual}, but {ManifestFileName} lists {expected}.", isTransient: false);
                }

                size += new FileInfo(Path.Combine(staging, name)).Length;

                // Clones use the disk as a backing file: it must never change, or every clone breaks.
                File.SetUnixFileMode(Path.Combine(staging, name), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            // The stored copy is what machines will use, so that is what is inspected (not the source, which could change).
            await RefuseUnsafeDiskAsync(Path.Combine(staging, DiskFileName), cancellationToken);
            manifest.Sha256 = address;
            manifest.SizeBytes = size;
            await File.WriteAllTextAsync(
                Path.Combine(staging, ManifestFileName), JsonSerializer.Serialize(manifest, JsonOptions), cancellationToken);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, ManifestFileName)))
            {
                // A concurrent import of the same content won the rename: same bytes, nothing to do.
                _logger.TemplateAlreadyPresent(manifest.Name, address);
                return ToImage(manifest, address);
            }

            _logger.TemplateImported(manifest.Name, address);
            return ToImage(manifest, address);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>The files of a stored template, or null when the store does not have it.</summary>
    public async Task<TemplateFiles?> FindAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!IsSha256(sha256))
        {
            return null;
        }

        var directory = Path.Combine(_root, sha256);
        var manifest = await ReadManifestAsync(Path.Combine(directory, ManifestFileName), cancellationToken);
        if (manifest is null)
        {
            return null;
        }

        // Defence in depth for templates stored before disks were inspected (and on agent nodes, whose store the
        // Server's start-up check does not see): one header read, and no machine is ever made from a disk that names
        // a backing or data file.
        var disk = Path.Combine(directory, DiskFileName);
        if (File.Exists(disk) && TemplateDiskInspector.CheckHeader(disk) is { } problem)
        {
            throw new DriverException($"Template {sha256} is not used: its {DiskFileName} {problem}", isTransient: false);
        }

        var boot = ParseBoot(manifest.Boot);
        return new TemplateFiles(
            sha256,
            boot,
            disk,
            boot == BootMethod.Kernel ? Path.Combine(directory, KernelFileName) : null,
            boot == BootMethod.Kernel && manifest.Files.ContainsKey(InitrdFileName) ? Path.Combine(directory, InitrdFileName) : null,
            boot == BootMethod.Kernel ? manifest.Cmdline : null,
            manifest.Files.GetValueOrDefault(KernelFileName),
            manifest.CloudInit);
    }

    /// <summary>
    /// Inspects a stored template's disk as an import does: what is wrong with it, or null when it is fine or not in
    /// the store.
    /// </summary>
    public async Task<string?> CheckAsync(string sha256, CancellationToken cancellationToken)
    {
        var disk = Path.Combine(_root, sha256, DiskFileName);
        if (!IsSha256(sha256) || !File.Exists(disk))
        {
            return null;
        }

        return await _inspector.InspectAsync(disk, cancellationToken) is { } problem ? $"{DiskFileName} {problem}" : null;
    }

    /// <summary>
    /// Removes a stored template; a missing one is fine. Renamed away first, so a template directory under its address
    /// is never half-deleted. The caller makes sure no machine uses it.
    /// </summary>
    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var directory = Path.Combine(_root, sha256);
        if (!IsSha256(sha256) || !Directory.Exists(directory))
        {
            return Task.CompletedTask;
        }

        var doomed = Path.Combine(_root, ".delete-" + Guid.NewGuid().ToString("N"));
        Directory.Move(directory, doomed);
        Directory.Delete(doomed, recursive: true);
        _logger.TemplateDeleted(sha256);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The content address of a template: sha256 over its "name sha256\n" lines sorted by name (ordinal), so it
    /// changes when any file changes and does not depend on the order the manifest lists them.
    /// </summary>
    public static string ContentAddress(IReadOnlyDictionary<string, string> files)
    {
        var text = new StringBuilder();
        foreach (var (name, sha256) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(' ').Append(sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private async Task RefuseUnsafeDiskAsync(string disk, CancellationToken cancellationToken)
    {
        if (await _inspector.InspectAsync(disk, cancellationToken) is { } problem)
        {
            throw new DriverException($"{DiskFileName} {problem}", isTransient: false);
        }
    }

    private static void Validate(TemplateManifest manifest, string sourceDirectory)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(manifest.Name))
        {
            problem = "it has no name";
        }
        else if (!manifest.Files.ContainsKey(DiskFileName))
        {
            problem = $"it lists no {DiskFileName}";
        }
        else if (manifest.Files.FirstOrDefault(f => !IsPlainFileName(f.Key) || f.Key == ManifestFileName) is { Key: not null } badName)
        {
            problem = $"'{badName.Key}' is not a plain file name";
        }
        else if (manifest.Files.FirstOrDefault(f => !IsSha256(f.Value)) is { Key: not null } badHash)
        {
            problem = $"the sha256 of {badHash.Key} is not 64 lowercase hex digits";
        }
        else if (manifest.DefaultCpus < 1 || manifest.DefaultMemoryMiB < 16)
        {
            problem = "defaultCpus must be at least 1 and defaultMemoryMiB at least 16";
        }
        else
        {
            try
            {
                if (ParseBoot(manifest.Boot) == BootMethod.Kernel && !manifest.Files.ContainsKey(KernelFileName))
                {
                    problem = $"it boots a kernel but lists no {KernelFileName}";
                }
            }
            catch (DriverException e)
            {
                problem = e.Message;
            }
        }

        if (problem is not null)
        {
            throw new DriverException($"{Path.Combine(sourceDirectory, ManifestFileName)} is not a valid template: {problem}.", isTransient: false);
        }
    }

    private static BootMethod ParseBoot(string boot) => boot switch
    {
        "kernel" => BootMethod.Kernel,
        "disk" => BootMethod.Disk,
        _ => throw new DriverException($"boot must be \"kernel\" or \"disk\", not \"{boot}\"", isTransient: false),
    };

    private static TemplateImage ToImage(TemplateManifest manifest, string address) => new(
        manifest.Name,
        address,
        ParseBoot(manifest.Boot),
        manifest.DefaultCpus,
        manifest.DefaultMemoryMiB * 1024L * 1024L,
        manifest.SizeBytes ?? 0);

    private static bool IsSha256(string value) =>
        value.Length == 64 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name != "." && name != ".." && name.IndexOfAny(['/', '\0']) < 0;

    private static async Task<TemplateManifest?> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<TemplateManifest>(stream, JsonOptions, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new DriverException($"{path} is not valid JSON: {e.Message}", isTransient: false, e);
        }
    }

    private static async Task<string> CopyAndHashAsync(string source, string destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(source))
        {
            throw new DriverException($"Template file {source} is missing.", isTransient: false);
        }

        // Hash while copying: the file is read once, and what we hash is exactly what we stored.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
