using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Templates;
using SkillVL.Server.Templates;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Identifiers;
using SkillVL.Server.Auth;
using SkillVL.Server.Identity;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Logging;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Hosting;

/// <summary>
/// Brings the embedded Server up before it listens: database, the in-process local node, templates, and the
/// CLI configuration. Then it opens the gate for the reconciler.
/// </summary>
public sealed class StartupService(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    NodeRegistry nodes,
    NodeService nodeService,
    Pki.NodeCertificateService certificates,
    Migrations.MigrationRunner migrations,
    AdminToken adminToken,
    ApiTokenService apiTokens,
    IServiceProvider services,
    StartupGate gate,
    TemplateHealth templateHealth,
    TemplateContent templateContent,
    IEmbeddedNodeFactory embeddedNodes,
    IOptions<SkillVlServerOptions> options,
    ILoggerFactory loggerFactory,
    IConfiguration configuration,
    TimeProvider time) : IHostedService
{
    /// <summary>The last schema version numbered by hand (PRAGMA user_version on SQLite, skillvl_schema on PostgreSQL) before
    /// EF Core migrations took over (ADR 0037): 2: users, courses, audit, OIDC; 3: nodes, VNIs; 4: migrations; 5:
    /// credential generations, API token parents; 6: node and join-token owners, a course's AllowClientNodes — issue 12;
    /// 7: check-outs, ADR 0023; 8: leases and fenced copies, ADR 0025; 9: placement policies, ADR 0030. The first
    /// migration is version 9; later schema changes are migrations (Data/Schema), not new numbers.</summary>
    public const int SchemaVersion = Data.Schema.DatabaseSchema.LastLegacyVersion;

    private readonly ILogger _logger = loggerFactory.CreateLogger<StartupService>();
    private IEmbeddedNode? _local;
    private DataDirectoryLock? _lock;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Held while this Server runs: `admin migrate-db` is refused meanwhile (ADR 0037).
        _lock = DataDirectoryLock.Acquire(settings.DataDirectory, "The Server cannot start");
        try
        {
            await StartCoreAsync(settings, cancellationToken);
        }
        catch
        {
            // The host calls no StopAsync after a failed start: release what was made so far (the embedded node's VMs keep running).
            if (_local is not null)
            {
                await _local.DisposeAsync();
                _local = null;
            }

            _lock.Dispose();
            _lock = null;
            throw;
        }
    }

    private async Task StartCoreAsync(SkillVlServerOptions settings, CancellationToken cancellationToken)
    {
        // Which appsettings were read: they are found next to the program, whatever the working directory.
        var files = ((IConfigurationRoot)configuration).Providers.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider>()
            .Select(p => p.Source.FileProvider?.GetFileInfo(p.Source.Path ?? "")).Where(f => f is { Exists: true }).Select(f => f!.PhysicalPath);
        Log.ConfigurationFiles(_logger, string.Join(", ", files) is { Length: > 0 } list ? list : "none");
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var where = settings.Database.IsPostgres
                ? $"PostgreSQL {PostgresSchema.Describe(settings.Database)}"
                : Path.Combine(settings.DataDirectory, DataDirectoryPermissions.DatabaseFileName);
            await using (var schema = DatabaseSchema.SchemaContextFor(db))
            {
                if (await DatabaseSchema.MigrateAsync(schema, where, cancellationToken) is { } legacy)
                {
                    Log.SchemaUpgraded(_logger, legacy, schema.Database.GetMigrations().Last());
                }
            }

            if (!settings.Database.IsPostgres)
            {
                // WAL lets the API read while the reconciler writes.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }

        await EnsureAdminAsync(settings, cancellationToken);
        if (!string.Equals(settings.Auth.Mode, AuthOptions.ExternalMode, StringComparison.OrdinalIgnoreCase))
        {
            await EmbeddedIssuer.SeedClientsAsync(services, settings, cancellationToken);
        }

        // The host composed the embedded node (ADR 0036): the Server sees its contract and the template content only.
        _local = await embeddedNodes.CreateAsync(settings, InstanceIdentity.LoadOrCreate(settings.DataDirectory), cancellationToken);
        nodes.Register(_local.Agent);
        templateContent.Open(_local.TemplateContent);
        // Its QEMU TLS credentials, by the same enrolment a remote agent runs (key and CSR here, the CA signs).
        await certificates.EnsureLocalAsync(cancellationToken);
        await nodeService.LoadAsync(cancellationToken);

        await RegisterTemplatesAsync(settings, cancellationToken);
        await CheckStoredTemplatesAsync(cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Decide the accelerator before listening ("auto" boots a probe guest under KVM once and caches it).
            var templates = await db.Templates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
            if (templates.FirstOrDefault(t => templateHealth.Problem(t.Sha256) is null) is { } first)
            {
                await _local.WarmUpAsync(first.Sha256, cancellationToken);
            }
        }

        // Before the reconciler's first pass: migrations a previous process left running are failed and kept away from it
        // until their cleanup ran.
        await migrations.RecoverAsync(cancellationToken);
        WriteCliConfig(settings);
        Log.Started(_logger, settings.Listen, _local.Agent.Facts.Name, _local.Agent.Facts.Accelerator, settings.DataDirectory);
        gate.Open();
    }

    /// <summary>
    /// First start: an admin account with a one-time password (printed once, and left in a 0600 file for `up` to
    /// show), and the admin's API token that the CLI configuration carries.
    /// </summary>
    private async Task EnsureAdminAsync(SkillVlServerOptions settings, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var admin = await db.Users.FirstOrDefaultAsync(u => u.Username == "admin", cancellationToken);
        if (admin is null)
        {
            admin = new UserEntity { Id = ShortId.New(), Username = "admin", Role = PlatformRoles.Admin, DisplayName = "Administrator", CreatedAt = time.GetUtcNow() };
            var password = ApiTokenService.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            admin.PasswordHash = UserDirectory.HashPassword(admin, password);
            db.Users.Add(admin);
            await db.SaveChangesAsync(cancellationToken);
            var file = Path.Combine(settings.DataDirectory, "initial-admin-password");
            await File.WriteAllTextAsync(file, password + "\n", cancellationToken);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Log.AdminCreated(_logger, file);
        }

        var hash = ApiTokenService.Hash(adminToken.Value);
        if (!await db.ApiTokens.AnyAsync(t => t.SecretHash == hash, cancellationToken))
        {
            // The Server's own credential for `up`'s CLI configuration (0600 in the data directory): no expiry, like the file.
            await apiTokens.CreateAsync(admin.Id, "skillvl up (CLI configuration)", ApiTokenScopes.All, expiresAt: null, parentId: null, cancellationToken, adminToken.Value);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // VMs keep running: the node agent only lets go of its sockets. The next start re-adopts them.
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>
    /// Imports the configured template builds and points each template name at its newest content.
    /// Older contents stay in the store: machines cloned from them keep their base.
    /// </summary>
    private async Task RegisterTemplatesAsync(SkillVlServerOptions settings, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, TemplateImage>(StringComparer.Ordinal);
        foreach (var source in settings.TemplateSources)
        {
            if (!Directory.Exists(source))
            {
                Log.TemplateSourceMissing(_logger, source);
                continue;
            }

            var image = await templateContent.Store.ImportAsync(source, cancellationToken);
            current[image.Name] = image;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var image in current.Values)
        {
            await TemplateCatalog.RegisterAsync(db, image, time.GetUtcNow(), cancellationToken);
            Log.TemplateRegistered(_logger, image.Name, image.Sha256);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Inspects every template content the database refers to (a template's current one and each machine's) as an
    /// upload is inspected: one stored by an older version that did not inspect disks may name a host file as its
    /// backing or data file. Such a content stays where it is but is unusable: listed with the reason, refused by room
    /// apply, never started by the reconciler. A content this node's store does not have is left to its node.
    /// </summary>
    private async Task CheckStoredTemplatesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var current = await db.Templates.AsNoTracking().Select(t => new { t.Sha256, t.Name }).ToListAsync(cancellationToken);
        var used = await db.Machines.AsNoTracking().Select(m => new { m.TemplateSha256, Name = m.TemplateName }).Distinct().ToListAsync(cancellationToken);
        var contents = current.Select(t => (t.Sha256, t.Name)).Concat(used.Select(m => (Sha256: m.TemplateSha256, m.Name)))
            .DistinctBy(c => c.Sha256, StringComparer.Ordinal);
        foreach (var (sha256, name) in contents)
        {
            string? problem;
            try
            {
                problem = await templateContent.Store.CheckAsync(sha256, cancellationToken);
            }
            catch (Core.Errors.SkillVlException e)
            {
                // Not known to be safe is not safe: the reason is shown, and the next start inspects it again.
                problem = $"could not be inspected: {e.Message}";
            }

            templateHealth.Record(sha256, problem);
            if (problem is not null)
            {
                Log.TemplateUnusable(_logger, name, sha256, problem);
            }
        }
    }

    private void WriteCliConfig(SkillVlServerOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.CliConfigPath))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.CliConfigPath))!);
        var json = JsonSerializer.Serialize(new { server = settings.Listen, token = adminToken.Value });
        File.WriteAllText(settings.CliConfigPath, json + "\n");
        File.SetUnixFileMode(settings.CliConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Log.CliConfigWritten(_logger, settings.CliConfigPath);
    }
}
