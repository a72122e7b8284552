using SkillVL.Server.Logging;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 4: the Server's log file is capped (size × files) and only its owner's (finding 2).</summary>
public sealed class RollingLogFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "svl-log-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Write_PastTheCap_RotatesAndKeepsAtMostMaxFiles()
    {
        var path = Path.Combine(_directory, "logs", "server.log");
        using (var file = new RollingLogFile(path, maxBytes: 4096, maxFiles: 3))
        {
            for (var i = 0; i < 200; i++)
            {
                file.Write($"record {i:D4} " + new string('x', 100));
            }
        }

        var files = Directory.GetFiles(Path.GetDirectoryName(path)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([path, path + ".1", path + ".2"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
        Assert.EndsWith("record 0199 " + new string('x', 100) + "\n", File.ReadAllText(path), StringComparison.Ordinal);
        // The newest records are in server.log, the ones before in .1, then .2: nothing in between is lost.
        var last = File.ReadAllLines(path + ".1")[^1];
        Assert.Equal(File.ReadAllLines(path)[0][..11], $"record {int.Parse(last[7..11], System.Globalization.CultureInfo.InvariantCulture) + 1:D4}");
    }

    [Fact]
    public void Write_NewAndExistingFiles_AreOwnerOnly()
    {
        var path = Path.Combine(_directory, "logs", "server.log");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "from an older version\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (var file = new RollingLogFile(path, maxBytes: 1024, maxFiles: 2))
        {
            for (var i = 0; i < 30; i++)
            {
                file.Write("a record of some length to pass the cap quickly");
            }
        }

        Assert.Equal(RollingLogFile.FileMode, File.GetUnixFileMode(path));
        Assert.Equal(RollingLogFile.FileMode, File.GetUnixFileMode(path + ".1"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
