using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Templates;

/// <summary>
/// Reads a template upload (multipart/form-data: <c>name</c>, optional <c>defaultCpus</c> and
/// <c>defaultMemoryMiB</c>, and the qcow2 as the file field <c>disk</c>) into a staging directory laid out like a
/// template build's output (<c>disk.qcow2</c> + <c>template.json</c>), so the node's template store imports it
/// exactly as it imports images/*/build.sh output. The disk is streamed to the file and hashed while it is
/// written; it is refused as soon as its first bytes are not the qcow2 magic. The magic is only the fast answer: the
/// store inspects the stored disk before it becomes a template (Drivers.Qemu TemplateDiskInspector, issue 11).
/// </summary>
public static partial class TemplateUpload
{
    /// <summary>"QFI\xfb": the first four bytes of every qcow2 image (qemu docs/interop/qcow2.txt, "magic").</summary>
    public static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xFB];

    public const string DiskField = "disk";
    public const string NameField = "name";
    public const string CpusField = "defaultCpus";
    public const string MemoryField = "defaultMemoryMiB";

    /// <summary>What a read upload holds: the staged directory and the disk's hash, or what is wrong.</summary>
    public sealed record Result(IReadOnlyList<ValidationError> Errors, string? Name = null, string? DiskSha256 = null, long DiskBytes = 0);

    public static async Task<Result> ReadAsync(HttpRequest request, string staging, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return new([new ValidationError(DiskField, "send the template as multipart/form-data with the qcow2 in the file field 'disk'.")]);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? sha256 = null;
        long bytes = 0;
        var errors = new List<ValidationError>();
        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value is not { } field)
            {
                continue;
            }

            field = HeaderUtilities.RemoveQuotes(field).Value ?? field;
            if (field == DiskField)
            {
                if (sha256 is not null)
                {
                    return new([new ValidationError(DiskField, "send one disk only.")]);
                }

                (sha256, bytes, var problem) = await StageDiskAsync(section.Body, Path.Combine(staging, "disk.qcow2"), cancellationToken);
                if (problem is not null)
                {
                    return new([new ValidationError(DiskField, problem)]);
                }
            }
            else if (field is NameField or CpusField or MemoryField)
            {
                using var text = new StreamReader(section.Body);
                // Form fields are short: more than 1 KiB is not one of ours.
                var buffer = new char[1024];
                var read = await text.ReadBlockAsync(buffer, cancellationToken);
                fields[field] = new string(buffer, 0, read).Trim();
            }
        }

        var name = fields.GetValueOrDefault(NameField);
        if (name is null || !NamePattern().IsMatch(name))
        {
            errors.Add(new(NameField, "must be 1-40 characters: lowercase letters, digits or '-', starting with a letter."));
        }

        var cpus = ParseOptional(fields, CpusField, 1, 1, 64, errors);
        var memoryMiB = ParseOptional(fields, MemoryField, 256, 16, 1024 * 1024, errors);
        if (sha256 is null)
        {
            errors.Add(new(DiskField, "is missing: attach the qcow2 image as the file field 'disk'."));
        }

        if (errors.Count > 0)
        {
            return new(errors);
        }

        // The manifest a template build writes (see images/tiny/build.sh): a disk-boot template with one file.
        var manifest = new Dictionary<string, object>
        {
            ["name"] = name!,
            ["boot"] = "disk",
            ["defaultCpus"] = cpus,
            ["defaultMemoryMiB"] = memoryMiB,
            ["files"] = new Dictionary<string, string> { ["disk.qcow2"] = sha256! },
        };
        await File.WriteAllTextAsync(Path.Combine(staging, "template.json"), JsonSerializer.Serialize(manifest), cancellationToken);
        return new([], name, sha256, bytes);
    }

    /// <summary>Copies the disk to <paramref name="path"/>, hashing what it writes; the problem when it is no qcow2.</summary>
    private static async Task<(string? Sha256, long Bytes, string? Problem)> StageDiskAsync(Stream body, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);

        // The magic first: a wrong file is refused before anything else is read or written.
        var head = new byte[Qcow2Magic.Length];
        var have = 0;
        int read;
        while (have < head.Length && (read = await body.ReadAsync(head.AsMemory(have), cancellationToken)) > 0)
        {
            have += read;
        }

        if (have < head.Length || !head.AsSpan().SequenceEqual(Qcow2Magic))
        {
            return (null, 0, $"is not a qcow2 image: it starts with {Convert.ToHexString(head, 0, have)}, a qcow2 with 514649FB (\"QFI\\xfb\").");
        }

        hash.AppendData(head);
        await output.WriteAsync(head, cancellationToken);
        long total = head.Length;
        var buffer = new byte[1 << 20];
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        await output.FlushAsync(cancellationToken);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total, null);
    }

    private static int ParseOptional(Dictionary<string, string> fields, string field, int fallback, int min, int max, List<ValidationError> errors)
    {
        if (!fields.TryGetValue(field, out var text) || text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(new(field, $"must be a whole number from {min} to {max}."));
        return fallback;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}
