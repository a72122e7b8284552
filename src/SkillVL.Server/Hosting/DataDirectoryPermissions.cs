namespace SkillVL.Server.Hosting;

/// <summary>
/// The data directory holds the database, keys, tokens, logs and disks: 0700 (0710 once the node gave the QEMU group
/// search), and what is in it 0600, VM disks 0660 for the QEMU group (issue 11
/// finding 2: server.log was 0644 in a 0755 directory). New files get these modes where they are made (and the
/// Server process runs with umask 077, Program.cs); <see cref="Apply"/> fixes what an older version left at start.
/// </summary>
public static class DataDirectoryPermissions
{
    public const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The embedded SQLite database's file name in the data directory (the Server, migrate-db and this class open it).</summary>
    public const string DatabaseFileName = "skillvl.db";

    /// <summary>Secret by content: fixed to 0600 wherever they are under the data directory.</summary>
    private static readonly string[] SecretFiles =
    [
        DatabaseFileName, DatabaseFileName + "-wal", DatabaseFileName + "-shm", DatabaseFileName + "-journal", "admin-token", "initial-admin-password",
        "instance-id", "server.log", "server.pid",
    ];

    /// <summary>Directories whose every file is kept 0600 (the Server's keys, its logs), and which are 0700 themselves.</summary>
    private static readonly string[] PrivateDirectories = ["oidc", "ca", "logs"];

    /// <summary>
    /// VM disks (vms/&lt;id&gt;/*.qcow2): the files only, and only "others" lose their bits. The node's driver gives
    /// disks and their directories to the unprivileged QEMU user's group (root:qemu 0660, ADR 0016).
    /// </summary>
    private const string VmDirectory = "vms";

    /// <summary>Creates the data directory 0700 (or makes it so) and tightens what is inside; returns the files it changed.</summary>
    public static IReadOnlyList<string> Apply(string dataDirectory)
    {
        var changed = new List<string>();
        System.IO.Directory.CreateDirectory(dataDirectory, Directory);
        // Group search may stay: the node gives it to the unprivileged QEMU user's group (ADR 0016), which must pass
        // through to its VM's files; search without read lists nothing.
        Tighten(dataDirectory, Directory | UnixFileMode.GroupExecute, changed);
        foreach (var name in SecretFiles)
        {
            var path = Path.Combine(dataDirectory, name);
            if (System.IO.File.Exists(path))
            {
                Tighten(path, File, changed);
            }
        }

        foreach (var name in PrivateDirectories)
        {
            var root = Path.Combine(dataDirectory, name);
            if (!System.IO.Directory.Exists(root))
            {
                continue;
            }

            Tighten(root, Directory, changed);
            foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                if (entry.LinkTarget is not null)
                {
                    continue; // A symlink's mode means nothing, and its target may be outside the data directory.
                }

                Tighten(entry.FullName, entry is DirectoryInfo ? Directory : File, changed);
            }
        }

        var vms = Path.Combine(dataDirectory, VmDirectory);
        if (System.IO.Directory.Exists(vms))
        {
            foreach (var disk in System.IO.Directory.EnumerateFiles(vms, "*.qcow2", SearchOption.AllDirectories))
            {
                if (new FileInfo(disk).LinkTarget is null)
                {
                    Tighten(disk, File | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, changed);
                }
            }
        }

        return changed;
    }

    /// <summary>
    /// The SQLite database file, made empty and 0600 before SQLite opens it when there is none (an empty file is a new
    /// database to SQLite and to EnsureCreated). SQLite gives its -wal and -shm files the database file's mode.
    /// </summary>
    public static string CreateDatabaseFile(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, DatabaseFileName);
        try
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            // There is one already; Apply made it 0600.
        }

        return path;
    }

    /// <summary>Takes group and other bits away (keeps the owner's, e.g. a read-only template stays read-only).</summary>
    private static void Tighten(string path, UnixFileMode most, List<string> changed)
    {
        var mode = System.IO.File.GetUnixFileMode(path);
        var tightened = mode & most;
        if (tightened != mode)
        {
            System.IO.File.SetUnixFileMode(path, tightened);
            changed.Add(path);
        }
    }
}
