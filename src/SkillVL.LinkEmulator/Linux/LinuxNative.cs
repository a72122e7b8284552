using System.Runtime.InteropServices;

namespace SkillVL.LinkEmulator.Linux;

/// <summary>The few libc calls the emulator needs (x86-64 and arm64 Linux: <c>long</c> is 64-bit).</summary>
internal static unsafe partial class LinuxNative
{
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>_IOW('T', 202, int), include/uapi/linux/if_tun.h.</summary>
    public const uint TUNSETIFF = 0x400454ca;

    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;

    /// <summary>sizeof(struct ifreq) on 64-bit Linux: a 16-byte name and a 24-byte union.</summary>
    public const int IfReqSize = 40;

    /// <summary>IFNAMSIZ − 1: interface names have at most 15 bytes.</summary>
    public const int MaxInterfaceName = 15;

    public const short POLLIN = 0x1;

    public const int SCHED_FIFO = 1;
    public const int PR_SET_TIMERSLACK = 29;

    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EBUSY = 16;
    public const int ENOENT = 2;
    public const int EPERM = 1;
    public const int EINVAL = 22;
    public const int ENOBUFS = 105;

    /// <summary>tun returns this from read/write once its device was deleted.</summary>
    public const int EBADFD = 77;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, byte* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, nuint count, Timespec* timeout, void* signalMask);

    /// <summary>With pid 0, applies to the calling thread only (Linux schedules threads, not processes).</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SchedSetScheduler(int pid, int policy, int* priority);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno) + $" (errno {errno})";
}
