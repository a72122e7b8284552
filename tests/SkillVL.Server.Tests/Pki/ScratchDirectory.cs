namespace SkillVL.Server.Tests.Pki;

/// <summary>A fresh directory under /tmp, removed on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        System.IO.Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "svl-pki-" + Guid.NewGuid().ToString("N")[..10]);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
}
