using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SkillVL.Agent.Local;

/// <summary>
/// Who is at the other end of a unix socket, as the kernel says (SO_PEERCRED, socket(7)): the credentials of the process
/// that connected, which it cannot choose. This, with the socket file's mode, is the local control's authentication.
/// </summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;   // <asm-generic/socket.h>
    private const int SoPeerCred = 17; // <asm-generic/socket.h>

    /// <summary>The caller's (pid, uid, gid): <c>struct ucred</c> is three 32-bit integers in host byte order.</summary>
    public static (int Pid, uint Uid, uint Gid) Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length != 12)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }

        return (
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
