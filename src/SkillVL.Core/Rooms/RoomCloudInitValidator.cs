using System.Globalization;
using System.Text;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The rules for a machine's <see cref="MachineCloudInit"/> the schema cannot express (ADR 0059): a few OpenSSH public
/// keys of known types, one line each, and small user-data that cloud-init recognises by its first line. What passes
/// goes into a seed file on the node and is read by cloud-init in the guest, so everything has a bound.
/// </summary>
public static class RoomCloudInitValidator
{
    public const int MaxSshKeys = 16;

    /// <summary>An RSA 16384-bit key is about 2.8 KB in OpenSSH's one-line form; nothing real is longer.</summary>
    public const int MaxSshKeyLength = 4096;

    /// <summary>Bytes (UTF-8) of a machine's user-data.</summary>
    public const int MaxUserDataBytes = 16 * 1024;

    private static readonly string[] KeyTypes =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    public static void Validate(RoomDefinition room, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < room.Machines.Count; i++)
        {
            if (room.Machines[i].CloudInit is not { } cloudInit)
            {
                continue;
            }

            var path = $"machines[{i.ToString(CultureInfo.InvariantCulture)}].cloudInit";
            if (cloudInit.SshKeys.Count > MaxSshKeys)
            {
                errors.Add(new($"{path}.sshKeys", $"a machine may have at most {MaxSshKeys} SSH keys; this one has {cloudInit.SshKeys.Count.ToString(CultureInfo.InvariantCulture)}"));
            }
            else
            {
                for (var k = 0; k < cloudInit.SshKeys.Count; k++)
                {
                    if (KeyProblem(cloudInit.SshKeys[k]) is { } problem)
                    {
                        errors.Add(new($"{path}.sshKeys[{k.ToString(CultureInfo.InvariantCulture)}]", problem));
                        break;
                    }
                }
            }

            if (cloudInit.UserData is { } userData && UserDataProblem(userData) is { } userDataProblem)
            {
                errors.Add(new($"{path}.userData", userDataProblem));
            }
        }
    }

    /// <summary>What is wrong with an OpenSSH public key line, or null.</summary>
    public static string? KeyProblem(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > MaxSshKeyLength)
        {
            return $"has {key.Length.ToString(CultureInfo.InvariantCulture)} characters; at most {MaxSshKeyLength} are allowed";
        }

        if (key.Any(char.IsControl))
        {
            return "must be one line (an OpenSSH public key: type, base64 key, optional comment)";
        }

        var parts = key.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !KeyTypes.Contains(parts[0], StringComparer.Ordinal))
        {
            return $"is not an OpenSSH public key: it must start with one of {string.Join(", ", KeyTypes)}, then the base64 key";
        }

        Span<byte> buffer = new byte[parts[1].Length];
        return Convert.TryFromBase64String(parts[1], buffer, out var length) && length > 0
            ? null
            : "is not an OpenSSH public key: its second field is not base64";
    }

    /// <summary>What is wrong with user-data, or null.</summary>
    public static string? UserDataProblem(string userData)
    {
        ArgumentNullException.ThrowIfNull(userData);
        var bytes = Encoding.UTF8.GetByteCount(userData);
        if (bytes > MaxUserDataBytes)
        {
            return $"has {bytes.ToString(CultureInfo.InvariantCulture)} bytes; at most {MaxUserDataBytes} (16 KiB) are allowed";
        }

        return userData.StartsWith("#cloud-config", StringComparison.Ordinal) || userData.StartsWith("#!", StringComparison.Ordinal)
            ? null
            : "must start with #cloud-config (a cloud-config document) or #! (a script)";
    }
}
