using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl vm download-fenced ROOM/VM EPOCH [-o FILE] [--force]</c> (ADR 0044) against the fake HTTP handler:
/// the file is saved 0600 with the bytes the server sent, their count and sha256 printed; an existing file is kept
/// without --force; a refusal or a short body leaves no file and exits non-zero.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DownloadFencedCommandTests : IDisposable
{
    private const string Route = "/api/v1/rooms/lab/machines/web/fenced/3/disk";
    private readonly string _directory = Directory.CreateTempSubdirectory("svl-cli-fenced").FullName;
    private readonly byte[] _disk = RandomNumberGenerator.GetBytes(700_001);

    [Fact]
    public async Task Download_SavesTheBytes0600_PrintsBytesAndSha256_AndRefusesToOverwriteWithoutForce()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", Route, _ => Disk(_disk), _ => Disk(_disk));
        var file = Path.Combine(_directory, "copy.qcow2");

        var run = await harness.RunAsync("vm", "download-fenced", "lab/web", "3", "-o", file);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(_disk, await File.ReadAllBytesAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains($"{_disk.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(_disk))}", run.Stdout, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, "mine");
        var again = await harness.RunAsync("vm", "download-fenced", "lab/web", "3", "-o", file);
        Assert.Equal(ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(file));
        Assert.Single(harness.Handler.Requests);

        var forced = await harness.RunAsync("vm", "download-fenced", "lab/web", "3", "-o", file, "--force");
        Assert.True(forced.ExitCode == ExitCodes.Ok, forced.ToString());
        Assert.Equal(_disk, await File.ReadAllBytesAsync(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Download_FromAnOfflineClient_IsTheServersMessage_NonZero_AndNoFile()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", Route, Answers.Problem(HttpStatusCode.Conflict, "Conflict", "lab/web: node laptop1, which holds the fenced copy of epoch 3, is offline"));

        var run = await harness.RunAsync("vm", "download-fenced", "lab/web", "3", "-o", Path.Combine(_directory, "x.qcow2"));

        Assert.Equal(ExitCodes.Conflict, run.ExitCode);
        Assert.Contains("node laptop1", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Download_ShorterThanItsContentLength_IsAnError_AndNoFile()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", Route, _ =>
        {
            var response = Disk(_disk[..1000]);
            response.Content.Headers.ContentLength = _disk.Length;
            return response;
        });

        var run = await harness.RunAsync("vm", "download-fenced", "lab/web", "3", "-o", Path.Combine(_directory, "x.qcow2"));

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("1000", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Download_ANegativeEpoch_IsAUsageError_AndSendsNothing()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", "download-fenced", "lab/web", "-1", "-o", Path.Combine(_directory, "x.qcow2"));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("EPOCH: a check-out epoch is a whole number", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static HttpResponseMessage Disk(byte[] bytes)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        response.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = "lab-web-e3.qcow2" };
        return response;
    }
}
