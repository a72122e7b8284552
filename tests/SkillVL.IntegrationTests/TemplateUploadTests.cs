using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// POST /api/v1/templates (issue 4, admin pages): an admin uploads the tiny guest's qcow2 and the template list
/// shows it under the content address of what was received; a file that is no qcow2, a bad name and a missing
/// disk are 400s naming their field; a student is refused; nothing is left in the upload staging directory.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class TemplateUploadTests
{
    [Fact]
    public async Task Upload_TinyQcow2_ListedWithItsHash_BadInputNamesTheField()
    {
        var disk = Path.Combine(await new TinyImageFixture().EnsureAsync(), "disk.qcow2");
        var bytes = await File.ReadAllBytesAsync(disk);
        var diskSha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await using var server = await ServerHarness.StartAsync();

        using var upload = await server.Client.PostAsync(ApiPaths.Templates, Form(("name", "uploaded"), ("defaultCpus", "2"), ("defaultMemoryMiB", "192"), ("disk", bytes)));
        var answer = await Users.ReadAsync<TemplateUploadInfo>(upload, HttpStatusCode.Created);
        Assert.Equal(diskSha, answer.DiskSha256);
        Assert.Equal(bytes.LongLength, answer.DiskBytes);
        var expectedAddress = FileTemplateStore.ContentAddress(new Dictionary<string, string> { ["disk.qcow2"] = diskSha });
        Assert.Equal(new TemplateInfo("uploaded", expectedAddress, "disk", 2, 192L << 20, bytes.LongLength), answer.Template);

        var listed = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!;
        Assert.Contains(answer.Template, listed);
        Assert.Contains(listed, t => t.Name == "tiny"); // the configured one is still there
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "templates", expectedAddress, "disk.qcow2")), "the disk is not in the node's template store");

        // Bad input: each a 400 naming its field, and nothing registered.
        var notQcow2 = "#!/bin/sh\necho not a disk\n"u8.ToArray();
        await ExpectInvalidAsync(server.Client, Form(("name", "fake"), ("disk", notQcow2)), "disk", "not a qcow2");
        await ExpectInvalidAsync(server.Client, Form(("name", "Bad Name!"), ("disk", bytes)), "name", "lowercase");
        await ExpectInvalidAsync(server.Client, Form(("name", "nodisk")), "disk", "missing");
        await ExpectInvalidAsync(server.Client, Form(("name", "x1"), ("defaultCpus", "zero"), ("disk", bytes)), "defaultCpus", "whole number");
        using (var raw = new ByteArrayContent(bytes))
        {
            raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            // Not a form at all: the endpoint accepts multipart/form-data only.
            using var unsupported = await server.Client.PostAsync(ApiPaths.Templates, raw);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        }

        listed = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!;
        Assert.Equal(["tiny", "uploaded"], listed.Select(t => t.Name).Order());

        using var student = await Users.AddAndLoginAsync(server, "stu", PlatformRoles.Student);
        using var refused = await student.Client.PostAsync(ApiPaths.Templates, Form(("name", "mine"), ("disk", bytes)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var uploads = Path.Combine(server.DataDirectory, "uploads");
        Assert.True(!Directory.Exists(uploads) || Directory.GetFileSystemEntries(uploads).Length == 0, "upload staging directories were left behind");
    }

    /// <summary>
    /// A disk larger than Kestrel's default 30 MB body limit streams through (the endpoint raises the limit to
    /// SkillVL:MaxTemplateUploadBytes), hashed as received; one over that option is a 400 naming disk.
    /// </summary>
    [Fact]
    public async Task Upload_LargerThanKestrelDefault_Streams_OverTheOption_IsRefused()
    {
        using var work = new TempDirectory("svl-upload");
        var raw = Path.Combine(work.Path, "raw.img");
        var disk = Path.Combine(work.Path, "big.qcow2");
        var noise = new byte[48 << 20];
        new Random(7).NextBytes(noise); // incompressible, so the qcow2 stays ~48 MiB
        await File.WriteAllBytesAsync(raw, noise);
        var convert = await HostTools.RunAsync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, disk], TimeSpan.FromMinutes(1));
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var size = new FileInfo(disk).Length;
        Assert.True(size > 40 << 20, $"the qcow2 has only {size} bytes");
        string diskSha;
        await using (var read = File.OpenRead(disk))
        {
            diskSha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read));
        }

        await using (var server = await ServerHarness.StartAsync())
        {
            using var upload = await server.Client.PostAsync(ApiPaths.Templates, FileForm("big", disk));
            var answer = await Users.ReadAsync<TemplateUploadInfo>(upload, HttpStatusCode.Created);
            Assert.Equal((diskSha, size), (answer.DiskSha256, answer.DiskBytes));
        }

        await using (var small = await ServerHarness.StartAsync(o => o.MaxTemplateUploadBytes = 16 << 20))
        {
            // Refused on its Content-Length, before the body: with 100-continue the client sends none of it.
            using var careful = small.ClientWith(small.AdminToken);
            careful.DefaultRequestHeaders.ExpectContinue = true;
            await ExpectInvalidAsync(careful, FileForm("big", disk), "disk", "larger than 16777216 bytes");
            Assert.DoesNotContain((await small.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!, t => t.Name == "big");
        }
    }

    private static MultipartFormDataContent FileForm(string name, string path)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        var file = new StreamContent(File.OpenRead(path), 1 << 20);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "disk", Path.GetFileName(path));
        return form;
    }

    private static MultipartFormDataContent Form(params (string Name, object Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            if (value is byte[] file)
            {
                var content = new ByteArrayContent(file);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, name, "disk.qcow2");
            }
            else
            {
                form.Add(new StringContent((string)value), name);
            }
        }

        return form;
    }

    private static async Task ExpectInvalidAsync(HttpClient client, HttpContent content, string field, string words)
    {
        using (content)
        {
            using var response = await client.PostAsync(ApiPaths.Templates, content);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected a 400 naming {field}, got {(int)response.StatusCode}: {body}");
            using var problem = JsonDocument.Parse(body);
            var errors = problem.RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"the 400 names {errors}, not {field}");
            Assert.Contains(words, messages.ToString(), StringComparison.Ordinal);
        }
    }
}
