namespace SkillVL.Server.Hosting;

/// <summary>
/// An exclusive lock (flock) on <c>server.lock</c> in the data directory, held while a Server runs on it: offline tools
/// that must not race a running Server (<c>admin migrate-db</c>, ADR 0037) take it too and are refused while it is held.
/// The kernel releases it when the process ends, so a crashed Server leaves no stale lock.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "server.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or throws naming the data directory when another process holds it.</summary>
    /// <param name="holder">What is refused, for the message ("the Server", "migrate-db").</param>
    public static DataDirectoryLock Acquire(string dataDirectory, string holder)
    {
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is flock(LOCK_EX | LOCK_NB) on Linux; 0600 like everything else in the data directory.
            return new DataDirectoryLock(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{holder}: a SkillVL Server (or another tool) is using the data directory {dataDirectory} ({path} is locked): stop it first.", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
