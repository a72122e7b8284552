using System.Security.Cryptography;
using System.Text;

namespace SkillVL.TestUtilities;

/// <summary>
/// The "tiny" guest template (images/tiny/build.sh): <c>$SKILLVL_TINY_IMAGE</c> when set, else built once into
/// <c>&lt;repo&gt;/.build/images/tiny</c> and rebuilt only when the build script or its files change. A file lock
/// keeps parallel test projects from building it twice.
/// </summary>
public sealed class TinyImageFixture
{
    public const string EnvironmentVariable = "SKILLVL_TINY_IMAGE";

    /// <summary>The build downloads a few Debian packages the first time; after that it takes ~10 s.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private static readonly string[] Outputs = ["vmlinuz", "initrd.img", "disk.qcow2", "cmdline", "template.json"];

    private static readonly SemaphoreSlim InProcess = new(1, 1);

    private static string? _directory;

    /// <summary>Directory holding vmlinuz, initrd.img, disk.qcow2, cmdline and template.json.</summary>
    public string Directory => _directory ?? throw new InvalidOperationException("Call EnsureAsync first.");

    public async Task<string> EnsureAsync()
    {
        await InProcess.WaitAsync();
        try
        {
            _directory ??= await LocateOrBuildAsync();
            return _directory;
        }
        finally
        {
            InProcess.Release();
        }
    }

    private static async Task<string> LocateOrBuildAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            if (!Outputs.All(f => File.Exists(Path.Combine(given, f))))
            {
                throw new InvalidOperationException($"{EnvironmentVariable}={given} does not hold {string.Join(", ", Outputs)}.");
            }

            return given;
        }

        var repository = RepositoryRoot.Find();
        var script = Path.Combine(repository, "images", "tiny", "build.sh");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing; cannot build the tiny guest.");
        }

        var output = Path.Combine(repository, ".build", "images", "tiny");
        var stampFile = Path.Combine(output, ".inputs.sha256");
        var stamp = InputsHash(Path.Combine(repository, "images", "tiny"));
        System.IO.Directory.CreateDirectory(output);

        await using var fileLock = await AcquireLockAsync(Path.Combine(repository, ".build", "images", "tiny.lock"));
        if (File.Exists(stampFile) && await File.ReadAllTextAsync(stampFile) == stamp
            && Outputs.All(f => File.Exists(Path.Combine(output, f))))
        {
            return output;
        }

        HostTools.RequireRoot();
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("bash", [script, output], BuildTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"images/tiny/build.sh failed ({exitCode}):\n{stdout}\n{stderr}");
        }

        await File.WriteAllTextAsync(stampFile, stamp);
        return output;
    }

    /// <summary>sha256 over the build script and every file it copies into the image.</summary>
    private static string InputsHash(string imageDirectory)
    {
        var text = new StringBuilder();
        foreach (var file in System.IO.Directory.EnumerateFiles(imageDirectory, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/.", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(imageDirectory, file)).Append(' ')
                .Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static async Task<FileStream> AcquireLockAsync(string path)
    {
        // FileShare.None takes an exclusive flock on Linux, which other processes (test projects) respect.
        var deadline = DateTime.UtcNow + BuildTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
