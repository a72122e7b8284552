using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SkillVL.Bench;

/// <summary>
/// The template "tiny-2g" of <see cref="MigrationBench"/>: the tiny OS in a 2 GiB disk whose base carries, right after
/// the OS's filesystem, <see cref="MigrationBenchOptions.BaseMiB"/> MiB of this host's own files — the corpus — so the
/// data a migration carries compresses as a Linux system's does, not as random bytes (incompressible) or zeros (free).
/// </summary>
/// <remarks>
/// <para>The corpus is a tar (GNU format, owner, group and times fixed) of the regular files under
/// <see cref="CorpusRoots"/>, each root in path order, interleaved in proportion to the roots' sizes so that any prefix
/// mixes binaries, libraries and data files as an installed system does (the first GiB of the roots one after another
/// would be all shared libraries). The base region holds the stream's first BaseMiB MiB: the same bytes on every run on
/// one host.</para>
/// <para>Disk layout (MiB), defaults in brackets: the tiny OS [0, 256); the base's corpus [256, 256 + BaseMiB) =
/// [256, 1536); the guest's overlay, written at run time, [2048 − OverlayMiB, 2048) = [1024, 2048), a copy of the
/// corpus's first OverlayMiB MiB; the RAM fill, read at run time, is the corpus's last RamFillMiB MiB.</para>
/// </remarks>
public sealed record CorpusTemplate(string Directory, int OsMiB, double OverlayZstdRatio, double RamZstdRatio)
{
    /// <summary>Where the corpus comes from, in this order of precedence when two roots are equally far along.</summary>
    public static readonly IReadOnlyList<string> CorpusRoots = ["/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/share"];

    /// <summary>The host's zstd: the bench measures compressibility with the stock binary, at the level a streaming
    /// compressor would use, and installs nothing.</summary>
    private const string Zstd = "/usr/bin/zstd";

    /// <summary>The first MiB of the base region, right after the tiny OS.</summary>
    public int BaseStartMiB => OsMiB;

    public static async Task<CorpusTemplate> BuildAsync(string tinyImage, MigrationBenchOptions options)
    {
        var directory = Path.Combine("/tmp", "svl-bench-tiny2g-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            foreach (var file in new[] { "vmlinuz", "initrd.img" })
            {
                File.Copy(Path.Combine(tinyImage, file), Path.Combine(directory, file));
            }

            var raw = Path.Combine(directory, "disk.raw");
            await RunAsync("qemu-img", "convert", "-O", "raw", Path.Combine(tinyImage, "disk.qcow2"), raw);
            var osMiB = (int)((new FileInfo(raw).Length + (1 << 20) - 1) >> 20);
            options.Validate(osMiB);
            await RunAsync("truncate", "-s", $"{MigrationBenchOptions.DiskMiB}M", raw);
            await WriteCorpusAsync(directory, raw, (long)osMiB << 20, (long)options.BaseMiB << 20);

            // What compression can gain on the data that must cross: the overlay (the corpus's first OverlayMiB) and the
            // RAM fill (its last RamFillMiB).
            var overlay = await ZstdRatioAsync(raw, (long)osMiB << 20, (long)options.OverlayMiB << 20);
            var ram = await ZstdRatioAsync(raw, (long)(osMiB + options.BaseMiB - options.RamFillMiB) << 20, (long)options.RamFillMiB << 20);

            await RunAsync("qemu-img", "convert", "-O", "qcow2", raw, Path.Combine(directory, "disk.qcow2"));
            File.Delete(raw);
            await WriteManifestAsync(tinyImage, directory);
            return new CorpusTemplate(directory, osMiB, overlay, ram);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The regular files under the roots (no symlinks), each root in ordinal path order, merged so that each
    /// next file comes from the root that has given the smallest share of its bytes so far.</summary>
    public static IReadOnlyList<string> CorpusFiles()
    {
        var roots = CorpusRoots
            .Where(System.IO.Directory.Exists)
            .Select(root => new DirectoryInfo(root)
                // On Unix a symlink is a ReparsePoint: skipped, and so are the directories behind symlinked ones.
                .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
                .OrderBy(f => f.FullName, StringComparer.Ordinal)
                .Select(f => (f.FullName, f.Length))
                .ToArray())
            .Where(files => files.Length > 0)
            .ToArray();
        var totals = roots.Select(files => (double)Math.Max(1, files.Sum(f => f.Length))).ToArray();
        var next = new int[roots.Length];
        var taken = new long[roots.Length];
        var result = new List<string>();
        while (true)
        {
            var pick = -1;
            for (var i = 0; i < roots.Length; i++)
            {
                if (next[i] < roots[i].Length && (pick < 0 || taken[i] / totals[i] < taken[pick] / totals[pick]))
                {
                    pick = i;
                }
            }

            if (pick < 0)
            {
                return result;
            }

            var (name, length) = roots[pick][next[pick]++];
            taken[pick] += length;
            result.Add(name);
        }
    }

    /// <summary>Streams the corpus tar into the raw disk at <paramref name="offset"/> and stops tar once
    /// <paramref name="length"/> bytes are in.</summary>
    private static async Task WriteCorpusAsync(string directory, string raw, long offset, long length)
    {
        var list = Path.Combine(directory, "corpus.list");
        // Relative to / (tar -C /) so tar has no leading "/" to warn about; NUL-separated, as file names may hold anything.
        await File.WriteAllTextAsync(list, string.Concat(CorpusFiles().Select(f => f.TrimStart('/') + '\0')));
        var start = new ProcessStartInfo("tar")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--create", "--file=-", "--directory=/", "--null", "--no-recursion", "--files-from=" + list,
            "--format=gnu", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var tar = Process.Start(start)!;
        var errors = tar.StandardError.ReadToEndAsync();
        long copied = 0;
        await using (var disk = new FileStream(raw, FileMode.Open, FileAccess.Write))
        {
            disk.Position = offset;
            var buffer = new byte[1 << 20];
            var stdout = tar.StandardOutput.BaseStream;
            while (copied < length)
            {
                var read = await stdout.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - copied)));
                if (read == 0)
                {
                    break;
                }

                await disk.WriteAsync(buffer.AsMemory(0, read));
                copied += read;
            }
        }

        // The rest of the stream is not wanted: end our tar (by its handle) rather than read gigabytes to discard them.
        if (!tar.HasExited)
        {
            tar.Kill();
        }

        await tar.WaitForExitAsync();
        File.Delete(list);
        if (copied < length)
        {
            throw new InvalidOperationException(
                $"The corpus ({string.Join(", ", CorpusRoots)}) holds only {copied >> 20} MiB, less than --base-mib {length >> 20}: {await errors}");
        }
    }

    /// <summary>Uncompressed ÷ compressed size of a region of the raw disk under <c>zstd -3</c>.</summary>
    private static async Task<double> ZstdRatioAsync(string raw, long offset, long length)
    {
        var start = new ProcessStartInfo(Zstd, ["-3", "-q", "-c"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var zstd = Process.Start(start)!;
        var errors = zstd.StandardError.ReadToEndAsync();
        var counted = CountAsync(zstd.StandardOutput.BaseStream);
        await using (var disk = new FileStream(raw, FileMode.Open, FileAccess.Read))
        {
            disk.Position = offset;
            var buffer = new byte[1 << 20];
            var left = length;
            while (left > 0)
            {
                var read = await disk.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                await zstd.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, read));
                left -= read;
            }
        }

        zstd.StandardInput.Close();
        var compressed = await counted;
        await zstd.WaitForExitAsync();
        if (zstd.ExitCode != 0 || compressed == 0)
        {
            throw new InvalidOperationException($"{Zstd} -3: exit {zstd.ExitCode} {await errors}");
        }

        return (double)length / compressed;
    }

    private static async Task<long> CountAsync(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static async Task WriteManifestAsync(string tinyImage, string directory)
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tinyImage, "template.json")))!.AsObject();
        manifest["name"] = "tiny-2g";
        manifest.Remove("sha256");
        manifest.Remove("sizeBytes");
        var files = new JsonObject();
        foreach (var file in new[] { "vmlinuz", "initrd.img", "disk.qcow2" })
        {
            await using var stream = File.OpenRead(Path.Combine(directory, file));
            files[file] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        }

        manifest["files"] = files;
        await File.WriteAllTextAsync(Path.Combine(directory, "template.json"), manifest.ToJsonString());
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {error}");
        }
    }
}
