using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Apis;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.PlacementControl;
using static SkillVL.Server.Tests.PlacementControl.DecisionDatabase;

namespace SkillVL.Server.Tests.PlacementControl;

/// <summary>
/// <c>GET /api/v1/placement/decisions</c> after a restart answers from the database: the real routes
/// (<see cref="PlacementApi.MapPlacementApi"/>) on Kestrel, stopped and started again on the same SQLite file. Only the
/// authentication is the test's: a header names the caller's role.
/// </summary>
public sealed class PlacementDecisionsRouteTests
{
    private const string RoleHeader = "X-Test-Role";

    [Fact]
    public async Task Decisions_AfterARestart_AreServedFromTheDatabase_NewestFirst_ToAnAdminOnly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var database = await CreateAsync(ct);
        await using (var first = await StartAsync(database, ct))
        {
            await first.Services.GetRequiredService<PlacementDecisionStore>().AddAsync(
                [Held("m1", DecisionOutcomes.CodeHysteresis, 0), Held("m2", DecisionOutcomes.CodeMinStay, 1), Held("m1", DecisionOutcomes.CodeWindow, 2)], ct);
            Assert.Equal(3, (await GetAsync(first, PlatformRoles.Admin, null, ct)).Count);
            await first.StopAsync(ct);
        }

        await using var second = await StartAsync(database, ct);

        var decisions = await GetAsync(second, PlatformRoles.Admin, "?limit=2", ct);
        Assert.Equal([Held("m1", DecisionOutcomes.CodeWindow, 2), Held("m2", DecisionOutcomes.CodeMinStay, 1)], decisions);
        using var client = Client(second, PlatformRoles.Teacher);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(ApiPaths.PlacementDecisions, ct)).StatusCode);
    }

    private static async Task<List<PlacementDecision>> GetAsync(WebApplication app, string role, string? query, CancellationToken ct)
    {
        using var client = Client(app, role);
        using var response = await client.GetAsync(ApiPaths.PlacementDecisions + query, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<PlacementDecision>>(JsonSerializerOptions.Web, ct))!;
    }

    private static HttpClient Client(WebApplication app, string role)
    {
        var address = app.Urls.Single(); // the port Kestrel bound, after the start
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add(RoleHeader, role);
        return client;
    }

    /// <summary>A Server's placement routes and the services they name; only the decision log's are ever made.</summary>
    private static async Task<WebApplication> StartAsync(DecisionDatabase database, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDbContextFactory<SkillVlDbContext>(o => o.UseSqlite(database.ConnectionString));
        builder.Services.AddSingleton(Options.Create(new SkillVlServerOptions()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PlacementDecisionStore>();
        builder.Services.AddSingleton<PlacementControllerService>();
        builder.Services.AddScoped<PlacementPolicyService>();
        builder.Services.AddScoped<RecommendationAcceptance>();
        builder.Services.AddScoped<EvacuationService>();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.Use((context, next) =>
        {
            var role = context.Request.Headers[RoleHeader].ToString();
            context.User = CurrentUser.Principal("u-" + role, role, role, "test", [], "test");
            return next(context);
        });
        app.MapGroup(ApiPaths.Prefix).MapPlacementApi();
        await app.StartAsync(ct);
        return app;
    }
}
