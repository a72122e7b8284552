using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl vm download-fenced ROOM/VM EPOCH [-o FILE] [--force]</c> (ADR 0044): saves the disk of a fenced copy — the
/// laptop's qcow2 as it came back, with what it wrote after its last sync — from the client that keeps it (which must be
/// online). The file is the caller's alone (0600), written beside its target and moved there only when complete, so a
/// broken transfer leaves nothing behind; an existing file is kept unless <c>--force</c>.
/// </summary>
internal static class VmDownloadFencedCommand
{
    /// <summary>The server answers once the client has connected the disk (its own bound is about 40 s).</summary>
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromMinutes(2);

    public static Command Create(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var epoch = new Argument<int>("EPOCH") { Description = "The check-out epoch of the fenced copy (skillvl vm get lists them)" };
        epoch.Validators.Add(result =>
        {
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n < 0)
            {
                result.AddError("EPOCH: a check-out epoch is a whole number ≥ 0");
            }
        });
        var output = new Option<string?>("--output", "-o") { Description = "Where to save the disk (default: ROOM-VM-eEPOCH.qcow2 here)" };
        var force = new Option<bool>("--force") { Description = "Replace FILE if it exists" };
        var command = new Command("download-fenced", "Download the disk of a fenced copy (qcow2) from the client that keeps it; the client must be online")
        {
            machine, epoch, output, force,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var number = parseResult.GetValue(epoch);
            var room = target.Room.Contains('/', StringComparison.Ordinal) ? target.Room[(target.Room.LastIndexOf('/') + 1)..] : target.Room;
            var path = Path.GetFullPath(parseResult.GetValue(output) ?? $"{room}-{target.Machine}-e{number.ToString(CultureInfo.InvariantCulture)}.qcow2");
            var replace = parseResult.GetValue(force);
            if (!replace && (File.Exists(path) || Directory.Exists(path)))
            {
                throw new CliException($"{path} exists; --force replaces it", ExitCodes.Conflict);
            }

            var partial = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.part");
            using var sha = SHA256.Create();
            try
            {
                var (_, bytes) = await client.DownloadAsync(
                    $"{ApiPaths.Machine(target.Room, target.Machine)}/fenced/{number.ToString(CultureInfo.InvariantCulture)}/disk",
                    target.Subject,
                    () => new CryptoStream(Create(partial), sha, CryptoStreamMode.Write), // hashed as it is saved; disposing it ends the hash
                    HeadersTimeout,
                    cancellationToken);
                File.Move(partial, path, overwrite: replace);
                var hash = Convert.ToHexStringLower(sha.Hash!);
                runner.Context.Out.WriteLine($"Saved the fenced copy of {target} from check-out epoch {number} to {path}: {bytes} bytes, sha256 {hash}");
                return ExitCodes.Ok;
            }
            finally
            {
                File.Delete(partial);
            }
        }));
        return command;
    }

    /// <summary>A new file only its owner may read (a disk holds the student's work), never one that exists.</summary>
    private static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            // Created so, never widened later: no moment in which another user could open it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
