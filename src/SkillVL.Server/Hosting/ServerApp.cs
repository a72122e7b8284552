using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Server.Apis;
using SkillVL.Server.Audit;
using SkillVL.Server.Auth;
using SkillVL.Server.Consoles;
using SkillVL.Server.Courses;
using SkillVL.Server.Identity;
using SkillVL.Server.Machines;
using SkillVL.Server.Migrations;
using SkillVL.Server.Quotas;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;
using SkillVL.Server.Reconciliation;
using SkillVL.Server.Rooms;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Hosting;

/// <summary>Builds the embedded Server; the host (src/SkillVL.Server.Host) and the integration tests use it through
/// <c>ServerHost</c>, which names the embedded node (ADR 0036).</summary>
public static class ServerApp
{
    /// <typeparam name="TEmbeddedNodeFactory">Makes the node that runs in the Server's process.</typeparam>
    public static WebApplication Build<TEmbeddedNodeFactory>(string[] args, Action<SkillVlServerOptions>? configure = null)
        where TEmbeddedNodeFactory : class, IEmbeddedNodeFactory
    {
        // Configuration is found next to the program, not in the working directory: `./skillvl up` starts it from the
        // repository, where the shipped appsettings.json (quiet log levels) was never read (issue 11 finding 2).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        ServerLogging.AddDefaultLevels(builder.Configuration);
        var optionsBuilder = builder.Services.AddOptions<SkillVlServerOptions>()
            .Bind(builder.Configuration.GetSection(SkillVlServerOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Migration.Invalid() is null, "SkillVL:Migration is not valid: a link's bandwidth must be a rate (50Mbit), its rtt a duration (40ms), intervals positive, DirtyRateSample 1–60 s, PeerProbeSettle 0–60 s, ReclaimGuestRamTimeout 1 s – 2 min")
            .Validate(o => o.Checkout.Invalid() is null, "SkillVL:Checkout is not valid: SyncInterval 10 s – 24 h, SyncRate a rate (20Mbit) or 0 for unlimited, SyncTimeout at least 10 s, Lease 10 s – 365 days")
            .Validate(o => o.Checks.Invalid() is null, "SkillVL:Checks is not valid: CheckTimeout 1 s – 5 min, RunTimeout from CheckTimeout to 10 min, MinInterval 0 – 1 h")
            .Validate(o => o.Limits.Invalid() is null, "SkillVL:Limits is not valid: every limit must be at least 1 (DocumentBytes at least 1024)")
            .Validate(o => o.Placement.Invalid() is null, "SkillVL:Placement is not valid: Mode off, suggest or auto; HysteresisEvaluations at least 1; MinStaySeconds, MaxMovesPerNode, MaxMovesPerLink, EvaluateEverySeconds not negative and within their bounds; DecisionLogSize at least 1")
            .ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        // Resolve the settings now: the listen URL and the data directory are needed before the host runs.
        var settings = new SkillVlServerOptions();
        builder.Configuration.GetSection(SkillVlServerOptions.SectionName).Bind(settings);
        configure?.Invoke(settings);
        var tightened = DataDirectoryPermissions.Apply(settings.DataDirectory);
        builder.AddServerLogging(settings);
        Directory.CreateDirectory(settings.RuntimeDirectory);
        // Agents on this machine outside its network namespace (testbed nodes) reach the Server through a unix socket.
        var urls = settings.Listen;
        if (settings.AgentSocketPath is { } agentSocket)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(agentSocket)!);
            File.Delete(agentSocket); // a stale socket of a previous run blocks the bind
            urls += ";http://unix:" + agentSocket;
        }

        builder.WebHost.UseUrls(urls);

        builder.Services.AddSingleton(TimeProvider.System);
        if (settings.Database.Invalid() is { } databaseProblem)
        {
            throw new InvalidOperationException(databaseProblem);
        }

        // The SQLite file is made (0600) only when SQLite is the store.
        // Resolved once (the password file read and checked here), not for every context the factory makes.
        var useDatabase = DatabaseConnection.For(
            settings.Database, settings.Database.IsPostgres ? "" : DataDirectoryPermissions.CreateDatabaseFile(settings.DataDirectory));
        builder.Services.AddSingleton<Events.ChangeSignal>();
        builder.Services.AddSingleton<Events.ChangeSignalInterceptor>();
        builder.Services.AddDbContextFactory<SkillVlDbContext>((sp, o) =>
        {
            useDatabase(o);
            o.UseOpenIddict();
            // Writers of rooms, machines, tasks, migrations … wake the event streams (and nothing polls for them).
            o.AddInterceptors(sp.GetRequiredService<Events.ChangeSignalInterceptor>());
        });
        builder.Services.AddSingleton(AdminToken.LoadOrCreate(settings.DataDirectory));
        builder.Services.AddSingleton<NodeRegistry>();
        builder.Services.AddSingleton<NodeLoadHistory>();
        builder.Services.AddSingleton<NodeService>();
        builder.Services.AddSingleton<OfflineJournalRecorder>();
        builder.Services.AddSingleton<CompressedTemplateFiles>();
        builder.Services.AddSingleton<Templates.TemplateHealth>();
        builder.Services.AddSingleton<Templates.TemplateContent>();
        builder.Services.AddSingleton<IEmbeddedNodeFactory, TEmbeddedNodeFactory>();
        // The platform CA (ADR 0011), named after the installation's instance id; made on the first start.
        builder.Services.AddSingleton(sp => Pki.PlatformCertificateAuthority.LoadOrCreate(
            Path.Combine(settings.DataDirectory, Pki.PlatformCertificateAuthority.DirectoryName),
            InstanceIdentity.LoadOrCreate(settings.DataDirectory),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<Pki.NodeCertificateService>();
        builder.Services.AddSingleton<VniPool>();
        builder.Services.AddSingleton<CapacityGate>();
        builder.Services.AddSingleton<Consoles.ConsoleTickets>();
        builder.Services.AddSingleton<Consoles.ConsoleRendezvous>();
        builder.Services.AddSingleton<Consoles.ConsoleSessions>();
        builder.Services.AddSingleton<Consoles.SpiceSessions>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<SkillVlServerOptions>>().Value.SpiceFile);
        builder.Services.AddSingleton<Consoles.SpiceFileProxy>();
        builder.Services.AddSingleton<StartupGate>();
        builder.Services.AddSingleton<ReconcileTrigger>();
        builder.Services.AddSingleton<TaskService>();
        builder.Services.AddSingleton<MachineReconciler>();
        builder.Services.AddScoped<RoomService>();
        builder.Services.AddScoped<AccessService>();
        builder.Services.AddScoped<QuotaService>();
        builder.Services.AddScoped<CourseService>();
        builder.Services.AddScoped<Checks.CheckRunner>();
        builder.Services.AddScoped<Checks.GatedCheckRun>();
        builder.Services.AddScoped<CourseInstanceActions>();
        builder.Services.AddSingleton<Checks.CheckRunGate>();
        builder.Services.AddSingleton<AuditService>();
        builder.Services.AddHostedService<StartupService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Pki.NodeCertificateService>());
        builder.Services.AddSingleton<ReconcileLoop>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReconcileLoop>());
        builder.Services.AddSingleton<ActiveMigrations>();
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MigrationRunner>());
        builder.Services.AddScoped<MigrationService>();
        builder.Services.AddScoped<Apis.Snapshots.SnapshotService>();
        builder.Services.AddScoped<Recommendations.RecommendationService>();
        builder.Services.AddSingleton<Recommendations.IPlacementSignals, Recommendations.LivePlacementSignals>();
        builder.Services.AddScoped<PlacementControl.PlacementPolicyService>();
        builder.Services.AddScoped<PlacementControl.RecommendationAcceptance>();
        builder.Services.AddScoped<PlacementControl.EvacuationService>();
        builder.Services.AddSingleton<PlacementControl.PlacementDecisionStore>();
        builder.Services.AddSingleton<PlacementControl.PlacementControllerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlacementControl.PlacementControllerService>());
        builder.Services.AddSingleton<Checkouts.CheckoutSyncService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Checkouts.CheckoutSyncService>());
        builder.Services.AddHostedService<Checkouts.CheckoutLeaseService>();
        builder.Services.AddSingleton<Reconciliation.MachineActivity>();
        builder.Services.AddHostedService<Rooms.RoomLifetimeService>();
        builder.Services.AddScoped<Checkouts.ReviveService>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SkillVlServerOptions>>().Value;
            return new Experiments.ExperimentStore(options.Experiments.DirectoryIn(options.DataDirectory));
        });

        builder.AddSkillVlAuth(settings);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "SkillVL API";
            doc.Info.Description = "Virtual teaching labs: rooms (VMs and their networks), machines, tasks, templates, nodes.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseSecurityHeaders();
        if (tightened.Count > 0)
        {
            Logging.Log.PermissionsTightened(app.Logger, tightened.Count, string.Join(", ", tightened.Take(10)));
        }

        app.UseExceptionHandler();
        app.UseWebSockets();
        var webRoot = string.IsNullOrWhiteSpace(settings.WebRoot) ? null : Path.GetFullPath(settings.WebRoot);
        if (webRoot is not null && File.Exists(Path.Combine(webRoot, "index.html")))
        {
            // The SPA: its files, and index.html for its client-side routes (/rooms/…, /oidc/callback, …).
            var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(webRoot);
            app.UsePrecompressedAssets(files);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                    file.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal) ? PrecompressedAssets.ImmutableCacheControl : "no-cache",
            });
            app.UseSpaFallback(files, ServerOwnedPrefixes);
        }

        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthorization();

        app.MapGet(ApiPaths.Health, (StartupGate gate) => gate.IsOpen ? Results.Text("ok") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable))
            .WithTags("Health").WithSummary("Liveness and readiness");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapSchemaApi();

        app.MapAuthConfig();
        app.MapAgentEndpoints();
        app.MapConsoleGateway();
        if (!string.Equals(settings.Auth.Mode, AuthOptions.ExternalMode, StringComparison.OrdinalIgnoreCase))
        {
            app.MapEmbeddedIssuer();
        }

        // Every route under /api/v1 needs a platform user; each handler then scopes objects to what that user may see.
        var api = app.MapGroup(ApiPaths.Prefix).RequireAuthorization(AuthSetup.PlatformPolicy);
        api.MapRoomsApi();
        api.MapMachinesApi();
        api.MapChecksApi();
        api.MapCheckoutsApi();
        api.MapSnapshotsApi();
        api.MapTasksApi();
        api.MapTemplatesApi();
        api.MapNodesApi();
        api.MapNodeDepartureApi();
        api.MapIdentityApi();
        api.MapCoursesApi();
        api.MapConsoleTickets();
        api.MapSpiceFile();
        api.MapEventsApi();
        api.MapMigrationsApi();
        api.MapExperimentsApi();
        api.MapRecommendationsApi();
        api.MapPlacementApi();
        return app;
    }

    /// <summary>Paths the Server answers itself: never the SPA's index.html, even when nothing matched.</summary>
    private static readonly string[] ServerOwnedPrefixes = ["/api", "/agent", "/console", "/connect", "/.well-known", "/schemas", "/openapi", "/login", "/logout", "/healthz"];

    /// <summary>The settings the built app runs with.</summary>
    public static SkillVlServerOptions Settings(this WebApplication app) =>
        app.Services.GetRequiredService<IOptions<SkillVlServerOptions>>().Value;
}
