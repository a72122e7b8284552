using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11, finding 1 "Templates that read the host", against the real Server and real qemu-img: an uploaded qcow2
/// whose backing file is /etc/shadow (plain or as a <c>json:</c> block graph), whose external data file is
/// /etc/shadow, that is encrypted, junk behind the qcow2 magic, or absurdly large is refused with a 400 naming
/// <c>disk</c>, leaving no row and no file; a bad template an older version stored is flagged at start, refused by
/// room apply and never started; an admin deletes unused templates (409 naming who uses one).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class TemplateAttackTests
{
    private const string Shadow = "/etc/shadow";

    [Fact]
    public async Task Issue11_TemplateReadingTheHostOrJunk_IsRefused_NothingLeft()
    {
        using var work = new TempDirectory("svl-attack");
        var shadowBefore = ShadowHash();
        var attacks = new (string Name, string Disk, string Words)[]
        {
            ("backing", await QemuImgAsync(work, "backing.qcow2", "create", "-q", "-f", "qcow2", "-b", Shadow, "-F", "raw"), $"has a backing file ({Shadow})"),
            ("json", await QemuImgAsync(work, "json.qcow2", "create", "-q", "-f", "qcow2", "-b", "json:{\"file\":{\"driver\":\"file\",\"filename\":\"" + Shadow + "\"}}", "-F", "raw", "{0}", "1M"), "has a backing file (json:"),
            ("datafile", await DataFileImageAsync(work), $"has an external data file ({Shadow})"),
            ("luks", await QemuImgAsync(work, "luks.qcow2", "create", "-q", "-f", "qcow2", "--object", "secret,id=s0,data=abc",
                "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10", "{0}", "1M"), "is encrypted"),
            ("huge", await QemuImgAsync(work, "huge.qcow2", "create", "-q", "-f", "qcow2", "{0}", "2T"), "virtual size of 2048 GiB"),
            ("junk", await JunkAsync(work, "junk.qcow2", random: true), "corrupt or no qcow2"),
            ("zeros", await JunkAsync(work, "zeros.qcow2", random: false), "corrupt or no qcow2 image: qemu-img cannot open it"),
        };
        await using var server = await ServerHarness.StartAsync();
        var before = StoredTemplates(server);

        foreach (var (name, disk, words) in attacks)
        {
            await ExpectRefusedAsync(server.Client, name, disk, words);
        }

        var listed = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!;
        Assert.Equal(["tiny"], listed.Select(t => t.Name));
        Assert.Equal(before, StoredTemplates(server));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(server.DataDirectory, "uploads")));
        Assert.Equal(shadowBefore, ShadowHash());
    }

    [Fact]
    public async Task Issue11_BadTemplateOfAnOlderVersion_FlaggedAtStart_RoomRefused_MachineNotStarted_DeleteAnswers409Then204()
    {
        using var work = new TempDirectory("svl-legacy");
        var bad = await QemuImgAsync(work, "legacy.qcow2", "create", "-q", "-f", "qcow2", "-b", Shadow, "-F", "raw");
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room("old", "tiny"));
        await server.PostTaskAsync(ApiPaths.Machine("old", "vm") + "/stop", TimeSpan.FromMinutes(1));
        var address = "";

        // What an older version left: the disk stored under its content address as the store lays it out, a row for it,
        // and a machine made from it (here: the stopped one, moved onto it).
        await server.RestartAsync(() => address = PlantLegacyTemplate(server, bad));

        var listed = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!;
        var legacy = Assert.Single(listed, t => t.Name == "legacy");
        Assert.Equal(address, legacy.Sha256);
        Assert.Contains($"has a backing file ({Shadow})", legacy.Unusable, StringComparison.Ordinal);
        Assert.Null(Assert.Single(listed, t => t.Name == "tiny").Unusable);

        using (var content = new StringContent(Room("fresh", "legacy"), Encoding.UTF8, "application/yaml"))
        {
            using var refused = await server.Client.PutAsync(ApiPaths.Room("fresh"), content);
            await ExpectFieldAsync(refused, "machines[0].template", "is unusable");
        }

        using (var start = await server.Client.PostAsync(ApiPaths.Machine("old", "vm") + "/start", null))
        {
            var task = await Users.ReadAsync<TaskInfo>(start, HttpStatusCode.Accepted);
            var done = await server.WaitTaskAsync(task.Id, TimeSpan.FromMinutes(1));
            Assert.Equal(TaskStates.Failed, done.State);
            Assert.Contains("is unusable", done.Outcome, StringComparison.Ordinal);
        }

        Assert.Empty(server.QemuProcesses());
        Assert.Equal("error", (await server.GetMachineAsync("old", "vm")).State);

        using (var inUse = await server.Client.DeleteAsync(ApiPaths.Template("legacy")))
        {
            var body = await inUse.Content.ReadAsStringAsync();
            Assert.True(inUse.StatusCode == HttpStatusCode.Conflict, $"{(int)inUse.StatusCode}: {body}");
            Assert.Contains("room 'old' of user 'admin' (vm)", body, StringComparison.Ordinal);
        }

        await server.DeleteRoomAsync("old");
        using (var deleted = await server.Client.DeleteAsync(ApiPaths.Template("legacy")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "templates", address)), "the legacy template's files are still stored");
        Assert.DoesNotContain((await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!, t => t.Name == "legacy");
    }

    [Fact]
    public async Task Issue11_TemplateDelete_AdminOnly_409WhileUsed_204RemovesFiles_Audited()
    {
        var disk = Path.Combine(await new TinyImageFixture().EnsureAsync(), "disk.qcow2");
        await using var server = await ServerHarness.StartAsync();
        using (var form = FileForm("spare", disk))
        {
            using var upload = await server.Client.PostAsync(ApiPaths.Templates, form);
            await Users.ReadAsync<TemplateUploadInfo>(upload, HttpStatusCode.Created);
        }

        var spare = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!.Single(t => t.Name == "spare");
        await server.ApplyAsync(Room("busy", "tiny"));
        using var student = await Users.AddAndLoginAsync(server, "stu", PlatformRoles.Student);
        using var teacher = await Users.AddAndLoginAsync(server, "tea", PlatformRoles.Teacher);

        foreach (var client in new[] { student.Client, teacher.Client })
        {
            using var forbidden = await client.DeleteAsync(ApiPaths.Template("spare"));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var missing = await server.Client.DeleteAsync(ApiPaths.Template("nosuch")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var inUse = await server.Client.DeleteAsync(ApiPaths.Template("tiny")))
        {
            var body = await inUse.Content.ReadAsStringAsync();
            Assert.True(inUse.StatusCode == HttpStatusCode.Conflict, $"{(int)inUse.StatusCode}: {body}");
            using var problem = JsonDocument.Parse(body);
            Assert.Contains("room 'busy' of user 'admin' (vm)", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var user = Assert.Single(problem.RootElement.GetProperty("usedBy").EnumerateArray());
            Assert.Equal(("busy", "admin"), (user.GetProperty("room").GetString(), user.GetProperty("owner").GetString()));
        }

        using (var deleted = await server.Client.DeleteAsync(ApiPaths.Template("spare")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "templates", spare.Sha256)), "the deleted template's files are still stored");
        Assert.Equal(["tiny"], (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!.Select(t => t.Name));

        // The CLI: a 409 exits 7 (Conflict) with the Server's message.
        var cli = await server.CliAsync("template", "delete", "tiny");
        Assert.True(cli.ExitCode == 7, cli.ToString());
        Assert.Contains("room 'busy' of user 'admin'", cli.Stderr, StringComparison.Ordinal);

        var audit = await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=templates", ServerHarness.Json);
        Assert.Contains(audit!, a => a.Action == "DELETE /api/v1/templates/{name}" && a.Outcome == "204" && a.Detail!.Contains(spare.Sha256, StringComparison.Ordinal));
        Assert.Contains(audit!, a => a.Action == "DELETE /api/v1/templates/{name}" && a.Outcome == "403" && a.Username == "stu");
    }

    private static string Room(string name, string template) => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: {{name}} }
        networks:
          - { name: lan, cidr: 192.168.61.0/24 }
        machines:
          - { name: vm, template: {{template}}, memory: 128Mi, nics: [{ network: lan, ip: 192.168.61.5 }] }
        """;

    /// <summary>
    /// Lays a disk into the store and the database as a version before issue 11 left it (no inspection), and moves
    /// room "old"'s machine onto it. Returns the content address.
    /// </summary>
    private static string PlantLegacyTemplate(ServerHarness server, string disk)
    {
        var diskSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(disk)));
        var address = FileTemplateStore.ContentAddress(new Dictionary<string, string> { ["disk.qcow2"] = diskSha });
        var directory = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "templates", address)).FullName;
        File.Copy(disk, Path.Combine(directory, "disk.qcow2"));
        var size = new FileInfo(disk).Length;
        File.WriteAllText(Path.Combine(directory, "template.json"), JsonSerializer.Serialize(new
        {
            name = "legacy", boot = "disk", defaultCpus = 1, defaultMemoryMiB = 128,
            files = new Dictionary<string, string> { ["disk.qcow2"] = diskSha }, sha256 = address, sizeBytes = size,
        }));

        using var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "skillvl.db")};Pooling=False");
        db.Open();
        using var insert = db.CreateCommand();
        insert.CommandText = """
            INSERT INTO Templates (Name, Sha256, Boot, DefaultCpus, DefaultMemoryBytes, SizeBytes, RegisteredAt)
            VALUES ('legacy', $sha, 'disk', 1, 134217728, $size, $at);
            UPDATE Machines SET TemplateName = 'legacy', TemplateSha256 = $sha WHERE Name = 'vm';
            """;
        insert.Parameters.AddWithValue("$sha", address);
        insert.Parameters.AddWithValue("$size", size);
        insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow);
        Assert.Equal(2, insert.ExecuteNonQuery());
        return address;
    }

    private static async Task ExpectRefusedAsync(HttpClient client, string name, string disk, string words)
    {
        using var form = FileForm(name, disk);
        using var response = await client.PostAsync(ApiPaths.Templates, form);
        await ExpectFieldAsync(response, "disk", words, name);
    }

    private static async Task ExpectFieldAsync(HttpResponseMessage response, string field, string words, string? what = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected a 400 naming {field}, got {(int)response.StatusCode}: {body}");
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{what}: the 400 names {errors}, not {field}");
        Assert.True(messages.ToString().Contains(words, StringComparison.Ordinal), $"{what}: expected '{words}' in {messages}");
    }

    private static MultipartFormDataContent FileForm(string name, string path)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        var file = new ByteArrayContent(File.ReadAllBytes(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "disk", Path.GetFileName(path));
        return form;
    }

    /// <summary>Runs qemu-img; "{0}" in the arguments is the image's path, else it goes last.</summary>
    private static async Task<string> QemuImgAsync(TempDirectory work, string file, params string[] arguments)
    {
        var path = Path.Combine(work.Path, file);
        var argv = arguments.Contains("{0}") ? arguments.Select(a => a == "{0}" ? path : a).ToArray() : [.. arguments, path];
        var run = await HostTools.RunAsync("qemu-img", argv, TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"qemu-img {string.Join(' ', argv)}: {run.Stderr}");
        return path;
    }

    /// <summary>
    /// A qcow2 whose external data file is /etc/shadow. Never <c>create -o data_file=/etc/shadow</c>: creating
    /// truncates and formats the data file. It is made on a scratch file and renamed in the header by
    /// <c>amend</c>, which does not open the new name (checked with strace on qemu-img 7.2).
    /// </summary>
    private static async Task<string> DataFileImageAsync(TempDirectory work)
    {
        var scratch = Path.Combine(work.Path, "scratch.raw");
        var disk = await QemuImgAsync(work, "datafile.qcow2", "create", "-q", "-f", "qcow2", "-o", $"data_file={scratch},data_file_raw=on", "{0}", "1M");
        await QemuImgAsync(work, "datafile.qcow2", "amend", "-f", "qcow2", "-o", $"data_file={Shadow}");
        return disk;
    }

    /// <summary>1 KiB behind the qcow2 magic: random bytes, or a version-3 header of zeros (which only qemu-img refuses).</summary>
    private static async Task<string> JunkAsync(TempDirectory work, string file, bool random)
    {
        var bytes = new byte[1024];
        if (random)
        {
            new Random(11).NextBytes(bytes);
        }
        else
        {
            bytes[7] = 3;
        }

        TemplateDiskPolicy.Qcow2Magic.CopyTo(bytes);
        var path = Path.Combine(work.Path, file);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private static string[] StoredTemplates(ServerHarness server) =>
        Directory.GetFileSystemEntries(Path.Combine(server.DataDirectory, "templates")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static string ShadowHash() => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Shadow)));
}
