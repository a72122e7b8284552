namespace SkillVL.TestUtilities;

/// <summary>
/// A fresh directory under /tmp, removed on dispose. The path is kept short on purpose: QEMU's unix sockets
/// live below it and a socket path may not exceed 107 bytes.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "svl")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A subdirectory path (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
