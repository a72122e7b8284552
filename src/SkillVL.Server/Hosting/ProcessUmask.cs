using System.Runtime.InteropServices;

namespace SkillVL.Server.Hosting;

/// <summary>
/// The Server process's file creation mask. 077: whatever it and the tools it starts create (qemu-img's disks,
/// SQLite's -wal and -shm, template staging) is its own user's alone unless the creator chooses a mode explicitly.
/// Set by Program.cs only — a test process hosting the Server keeps its own umask.
/// </summary>
public static partial class ProcessUmask
{
    public const uint OwnerOnly = 0b000_111_111; // 077

    /// <summary>Sets umask 077; returns the mask it replaces (umask cannot fail).</summary>
    public static uint Restrict() => Set(OwnerOnly);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Set(uint mask);
}
