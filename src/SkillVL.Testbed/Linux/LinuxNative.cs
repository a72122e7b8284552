using System.Runtime.InteropServices;

namespace SkillVL.Testbed.Linux;

/// <summary>The two libc calls the BCL has no equivalent for: sending SIGTERM by pid, and the effective uid.</summary>
internal static partial class LinuxNative
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
