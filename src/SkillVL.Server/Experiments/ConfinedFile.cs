using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SkillVL.Server.Experiments;

/// <summary>
/// Opens a file that must lie inside a directory, for reading files that other people put there (experiment runs,
/// ADR 0029). Three checks that a path check alone would miss: the last component is opened with O_NOFOLLOW (a
/// symlink is refused, not followed), with O_NONBLOCK (a FIFO planted as report.md cannot hang a request), and the
/// opened file's real path (/proc/self/fd) must be under the directory's real path — which also catches a directory
/// on the way swapped for a symlink between the caller's check and the open.
/// </summary>
internal static partial class ConfinedFile
{
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int Loop = 40; // ELOOP: the last component is a symlink

    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>O_NOFOLLOW: 0400000 on x86-64 (asm-generic/fcntl.h), 0100000 on arm64 (arch/arm64/include/uapi/asm/fcntl.h).</summary>
    private static int NoFollow => Arm64 ? 0x8000 : 0x20000;

    /// <summary>O_DIRECTORY: 0200000 on x86-64, 040000 on arm64.</summary>
    private static int DirectoryOnly => Arm64 ? 0x4000 : 0x10000;

    /// <summary>The real path of <paramref name="directory"/> (every symlink on the way resolved), or null when it cannot be opened.</summary>
    public static string? RealDirectory(string directory)
    {
        var fd = Open(directory, ReadOnly | DirectoryOnly | CloseOnExec);
        if (fd < 0)
        {
            return null;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        return RealPath(fd);
    }

    /// <summary>
    /// Reads <paramref name="path"/> whole if it is a regular file of at most <paramref name="maxBytes"/> under
    /// <paramref name="realRoot"/>; otherwise null and why in <paramref name="refused"/>.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(string realRoot, string path, long maxBytes, Action<string> refused, CancellationToken ct)
    {
        using var stream = OpenRead(realRoot, path, maxBytes, refused);
        if (stream is null)
        {
            return null;
        }

        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    /// <summary>Opens <paramref name="path"/> as <see cref="ReadAsync"/> reads it; the caller disposes the stream.</summary>
    public static FileStream? OpenRead(string realRoot, string path, long maxBytes, Action<string> refused)
    {
        var name = Path.GetFileName(path);
        var fd = Open(path, ReadOnly | NoFollow | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            refused(errno == Loop ? $"{name}: a symbolic link, not read" : $"{name}: cannot be opened (errno {errno})");
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var real = RealPath(fd);
            if (real is null || !real.StartsWith(realRoot.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                refused($"{name}: outside the experiments directory, not read");
                handle.Dispose();
                return null;
            }

            var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            if (!stream.CanSeek || File.GetAttributes(real).HasFlag(FileAttributes.Directory))
            {
                refused($"{name}: not a regular file, not read");
                stream.Dispose();
                return null;
            }

            if (stream.Length > maxBytes)
            {
                refused($"{name}: larger than {maxBytes >> 10} KiB, not read");
                stream.Dispose();
                return null;
            }

            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            refused($"{name}: not a regular file, not read");
            handle.Dispose();
            return null;
        }
    }

    private static string? RealPath(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
