using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using Xunit;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>The admin pages page through the audit log: GET /api/v1/audit?before=ID&amp;limit=N continues past the oldest entry shown.</summary>
[Collection(VmCollection.Name)]
public sealed class AuditPagingTests
{
    [Fact]
    public async Task Audit_BeforeId_PagesBackWithoutGapsOrRepeats()
    {
        await using var server = await ServerHarness.StartAsync();
        // Seven audited requests of the admin's (each user add is one).
        for (var i = 0; i < 7; i++)
        {
            using var added = await server.Client.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest($"pager{i}", PlatformRoles.Student, null), ServerHarness.Json);
            added.EnsureSuccessStatusCode();
        }

        var all = (await server.Client.GetFromJsonAsync<List<AuditEntry>>($"{ApiPaths.Audit}?action=POST%20/api/v1/users&limit=1000", ServerHarness.Json))!;
        Assert.Equal(7, all.Count);

        var paged = new List<AuditEntry>();
        string? before = null;
        for (var page = 0; page < 10; page++)
        {
            var url = $"{ApiPaths.Audit}?action=POST%20/api/v1/users&limit=3" + (before is null ? "" : $"&before={before}");
            var entries = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(url, ServerHarness.Json))!;
            if (entries.Count == 0)
            {
                break;
            }

            Assert.True(entries.Count <= 3);
            paged.AddRange(entries);
            before = entries[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(all.Select(a => a.Id), paged.Select(a => a.Id)); // same entries, same order (newest first)
        Assert.Equal(all.Select(a => a.Id).OrderDescending(), all.Select(a => a.Id));
    }
}
