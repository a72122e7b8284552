using System.Text;

namespace SkillVL.Server.Logging;

/// <summary>
/// An append-only text file that rotates by size: when the next record would pass <c>maxBytes</c>, server.log becomes
/// server.log.1 (.1 → .2 …, the oldest beyond <c>maxFiles</c> is deleted) and a new server.log starts. Files are created
/// 0600 and their directory 0700. Not thread-safe: <see cref="RollingFileLoggerProvider"/> writes from one task.
/// </summary>
public sealed class RollingLogFile : IDisposable
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private FileStream? _stream;

    public RollingLogFile(string path, long maxBytes, int maxFiles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        _path = path;
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory, DirectoryMode);
    }

    public string Path => _path;

    public void Write(string record)
    {
        var bytes = Encoding.UTF8.GetBytes(record + "\n");
        var stream = _stream ??= Open();
        if (stream.Length > 0 && stream.Length + bytes.Length > _maxBytes)
        {
            Rotate();
            stream = _stream = Open();
        }

        stream.Write(bytes);
    }

    public void Flush() => _stream?.Flush();

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private FileStream Open()
    {
        var stream = new FileStream(_path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read | FileShare.Delete,
            UnixCreateMode = FileMode,
        });
        // A file from before (a redirect, an older version) keeps its mode on open: make it ours.
        File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        return stream;
    }

    private void Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        File.Delete($"{_path}.{_maxFiles - 1}");
        for (var i = _maxFiles - 2; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}", overwrite: true);
            }
        }

        if (_maxFiles > 1)
        {
            File.Move(_path, $"{_path}.1", overwrite: true);
        }
        else
        {
            File.Delete(_path);
        }
    }
}
