using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkillVL.Cli.Http;

namespace SkillVL.Cli.Configuration;

/// <summary>
/// Saves what <c>skillvl login</c> got into a config file. Fields this CLI does not write are kept; the file is
/// replaced in one rename and is readable by its owner only (0600), since it holds credentials.
/// </summary>
internal static class ConfigFileWriter
{
    private const string ServerField = "server";
    private const string TokenField = "token";
    private const string OidcField = "oidc";

    private static readonly JsonSerializerOptions FileJson = new(ApiJson.Options) { WriteIndented = true };

    /// <summary>Saves a server and its token; <paramref name="oidc"/> null for a personal API token (no renewal).</summary>
    public static void SaveLogin(string path, Uri server, string token, SavedOidcLogin? oidc) => Update(path, file =>
    {
        file[ServerField] = server.ToString();
        file[TokenField] = token;
        if (oidc is null)
        {
            file.Remove(OidcField);
        }
        else
        {
            file[OidcField] = JsonSerializer.SerializeToNode(oidc, ApiJson.Options);
        }
    });

    /// <summary>Saves a renewed access token beside the login it renews.</summary>
    public static void SaveRenewedToken(string path, string token, SavedOidcLogin oidc) => Update(path, file =>
    {
        file[TokenField] = token;
        file[OidcField] = JsonSerializer.SerializeToNode(oidc, ApiJson.Options);
    });

    /// <summary>Removes the token and login, keeping the server; false when there were none.</summary>
    public static bool RemoveLogin(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        var removed = false;
        Update(path, file =>
        {
            removed = file.Remove(TokenField) | file.Remove(OidcField);
        });
        return removed;
    }

    private static void Update(string path, Action<JsonObject> change)
    {
        var file = Read(path);
        change(file);
        Write(path, file.ToJsonString(FileJson) + "\n");
    }

    private static JsonObject Read(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return [];
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}", ExitCodes.Error);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new CliException($"{path}: not a JSON object; fix or remove the file", ExitCodes.Error);
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON ({e.Message}); fix or remove the file", ExitCodes.Error);
        }
    }

    private static void Write(string path, string text)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(
            directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        try
        {
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            // UnixCreateMode applies only to a file this call creates; a stale temporary file keeps its mode.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CliException($"cannot write {path}: {e.Message}", ExitCodes.Error);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do; the message about the write is the one that matters.
        }
    }
}
