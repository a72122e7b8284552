using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;
using ZstdSharp;

namespace SkillVL.Server.Nodes;

/// <summary>
/// zstd copies of template files for the nodes that fetch them (a client's first migration, a node's first machine of a
/// template): a template crosses the link once per node, often a slow one, and disk images compress well (the bench's
/// 1.3 GiB base of real files 3.3×). Each file is compressed once, on its first fetch, into
/// <c>&lt;data&gt;/template-cache/zstd/&lt;sha256&gt;/&lt;file&gt;.zst</c>, and served from there to every node after
/// — as <see cref="PrecompressedAssets"/> serves the SPA — so no fetch spends the Server's CPU but the first.
/// Templates are content-addressed and never change, so a copy never goes stale.
/// </summary>
public sealed class CompressedTemplateFiles(IOptions<SkillVlServerOptions> options, TimeProvider time, ILogger<CompressedTemplateFiles> logger)
{
    /// <summary>The HTTP content coding (RFC 8878).</summary>
    public const string Encoding = "zstd";

    /// <summary>Smaller files (the manifest, a kernel command line) go as they are: a frame header would be all they gain.</summary>
    public const long MinimumBytes = 64 * 1024;

    /// <summary>
    /// Level 3, zstd's default: ≈ 3.3:1 on the bench's corpus; the managed port compresses it at a few hundred MiB/s on
    /// one core, once per file, where higher levels cost several times the CPU for a few percent.
    /// </summary>
    private const int Level = 3;

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// The path of the compressed copy of <paramref name="sourcePath"/> (template <paramref name="sha256"/>, file
    /// <paramref name="file"/>), made now if it is not there yet. Concurrent callers for one file share one compression.
    /// </summary>
    public async Task<string> GetAsync(string sha256, string file, string sourcePath, CancellationToken cancellationToken)
    {
        var target = Path.Combine(options.Value.DataDirectory, "template-cache", Encoding, sha256, file + ".zst");
        if (File.Exists(target))
        {
            return target;
        }

        // The compression is not bound to one request: a node that gives up leaves it to finish for the next one.
        var work = _inFlight.GetOrAdd(target, t => new Lazy<Task<string>>(() => Task.Run(() => CompressAsync(sourcePath, t))));
        try
        {
            return await work.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (work.Value.IsCompleted)
            {
                _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(target, work));
            }
        }
    }

    /// <summary>Removes the compressed copies of template <paramref name="sha256"/> (the template was deleted).</summary>
    public void Remove(string sha256)
    {
        var directory = Path.Combine(options.Value.DataDirectory, "template-cache", Encoding, sha256);
        if (sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower) && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<string> CompressAsync(string sourcePath, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial-" + Guid.NewGuid().ToString("N");
        var started = time.GetTimestamp();
        try
        {
            await using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true))
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            await using (var zstd = new CompressionStream(output, Level, leaveOpen: true))
            {
                await source.CopyToAsync(zstd, 1 << 20);
            }

            // A rename is atomic: a reader sees the whole copy or none.
            File.Move(partial, target, overwrite: true);
            NodeLog.TemplateFileCompressed(logger, sourcePath, new FileInfo(sourcePath).Length, new FileInfo(target).Length,
                time.GetElapsedTime(started).TotalSeconds);
            return target;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }
}
