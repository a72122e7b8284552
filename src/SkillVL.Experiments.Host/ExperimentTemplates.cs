using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SkillVL.Experiments.Host;

/// <summary>
/// One template per disk level: the tiny image with its disk grown to the level's size (<c>qemu-img resize</c>; the
/// OS's filesystem keeps its size, the guest writes its overlay at the disk's end, beyond it). Named "exp-&lt;MiB&gt;m".
/// </summary>
public sealed class ExperimentTemplates : IDisposable
{
    private ExperimentTemplates(string root, IReadOnlyDictionary<long, string> names, long osBytes, long dataBytes)
    {
        Root = root;
        Names = names;
        OsBytes = osBytes;
        DataBytes = dataBytes;
    }

    public string Root { get; }

    /// <summary>Template name by disk size in bytes.</summary>
    public IReadOnlyDictionary<long, string> Names { get; }

    /// <summary>The tiny OS disk's virtual size: no overlay may reach into it.</summary>
    public long OsBytes { get; }

    /// <summary>Data allocated in the template's disk (what a full mirror carries besides the overlay).</summary>
    public long DataBytes { get; }

    public IEnumerable<string> Directories => Names.Values.Select(n => Path.Combine(Root, n));

    /// <summary>The tiny OS's virtual disk size, read before anything is built (to check the spec).</summary>
    public static async Task<long> OsBytesAsync(string tinyImage, CancellationToken ct) =>
        (long)JsonNode.Parse(await RunAsync("qemu-img", ["info", "--output=json", Path.Combine(tinyImage, "disk.qcow2")], ct))!["virtual-size"]!;

    public static async Task<ExperimentTemplates> BuildAsync(string tinyImage, IEnumerable<long> diskSizes, CancellationToken ct)
    {
        var root = Directory.CreateTempSubdirectory("svl-exp-templates-").FullName;
        try
        {
            var info = JsonNode.Parse(await RunAsync("qemu-img", ["info", "--output=json", Path.Combine(tinyImage, "disk.qcow2")], ct))!;
            var names = new Dictionary<long, string>();
            foreach (var size in diskSizes.Distinct())
            {
                var name = "exp-" + (size >> 20).ToString(CultureInfo.InvariantCulture) + "m";
                var dir = Path.Combine(root, name);
                Directory.CreateDirectory(dir);
                File.Copy(Path.Combine(tinyImage, "vmlinuz"), Path.Combine(dir, "vmlinuz"));
                File.Copy(Path.Combine(tinyImage, "initrd.img"), Path.Combine(dir, "initrd.img"));
                File.Copy(Path.Combine(tinyImage, "disk.qcow2"), Path.Combine(dir, "disk.qcow2"));
                await RunAsync("qemu-img", ["resize", "-q", Path.Combine(dir, "disk.qcow2"), size.ToString(CultureInfo.InvariantCulture)], ct);
                await WriteManifestAsync(tinyImage, dir, name, ct);
                names[size] = name;
            }

            return new ExperimentTemplates(root, names, (long)info["virtual-size"]!, (long)info["actual-size"]!);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static async Task WriteManifestAsync(string tinyImage, string directory, string name, CancellationToken ct)
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tinyImage, "template.json"), ct))!.AsObject();
        manifest["name"] = name;
        manifest.Remove("sha256");
        manifest.Remove("sizeBytes");
        var files = new JsonObject();
        foreach (var file in new[] { "vmlinuz", "initrd.img", "disk.qcow2" })
        {
            await using var stream = File.OpenRead(Path.Combine(directory, file));
            files[file] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }

        manifest["files"] = files;
        await File.WriteAllTextAsync(Path.Combine(directory, "template.json"), manifest.ToJsonString(), ct);
    }

    private static async Task<string> RunAsync(string file, string[] arguments, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {error}");
        }

        return await output;
    }
}
