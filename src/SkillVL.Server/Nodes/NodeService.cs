using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Agent.Remote;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Nodes;

/// <summary>
/// Node enrolment: one-time join tokens (hashed, expiring, single use) are exchanged for a node credential
/// (hashed); the credential authenticates the agent's connection. Revoking a node deletes its credential and
/// closes its connection.
/// </summary>
public sealed partial class NodeService(
    IDbContextFactory<SkillVlDbContext> dbFactory, NodeRegistry registry, IOptions<SkillVlServerOptions> options, TimeProvider time,
    Consoles.ConsoleRendezvous consoles)
{
    /// <summary>
    /// A one-time join token (issue 12): anyone may make a client token for their own computer; server and edge tokens,
    /// tokens without a kind (any kind, the testbed's) and tokens for another user's computer are an admin's. Nothing is
    /// written when the request is refused.
    /// </summary>
    public async Task<JoinTokenResult> CreateJoinTokenAsync(CurrentUser caller, CreateJoinTokenRequest request, CancellationToken cancellationToken)
    {
        var minutes = request.ExpiresInMinutes ?? 60;
        if (minutes is < 1 or > 7 * 24 * 60)
        {
            return JoinTokenResult.Refused(400, "expiresInMinutes", "must be between 1 and 10080 (a week).");
        }

        var kind = request.Kind;
        if (kind is not (null or "server" or "edge" or "client"))
        {
            return JoinTokenResult.Refused(400, "kind", $"must be server, edge or client (got '{kind}').");
        }

        if (!caller.IsAdmin && kind != "client")
        {
            return JoinTokenResult.Refused(403, "kind", "only an admin can let server or edge nodes join; ask for kind client to enrol your own computer.");
        }

        if (request.Owner is not null && kind != "client")
        {
            return JoinTokenResult.Refused(400, "owner", "only a client node has an owner: set kind to client.");
        }

        if (!caller.IsAdmin && request.Owner is not null && request.Owner != caller.Username)
        {
            return JoinTokenResult.Refused(403, "owner", "only an admin can make a join token for another user's computer; leave owner out for your own.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        NodeOwner? owner = null;
        if (!caller.IsAdmin)
        {
            owner = new(caller.Id, caller.Username);
        }
        else if (request.Owner is not null)
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Username == request.Owner).Select(u => new { u.Id, u.Username }).FirstOrDefaultAsync(cancellationToken);
            if (user is null)
            {
                return JoinTokenResult.Refused(400, "owner", $"there is no user '{request.Owner}'.");
            }

            owner = new(user.Id, user.Username);
        }

        var now = time.GetUtcNow();
        if (owner is not null && await TooManyClientNodesAsync(db, owner, cancellationToken) is { } full)
        {
            return JoinTokenResult.Refused(409, "owner", full);
        }

        if (!caller.IsAdmin)
        {
            var outstanding = await db.JoinTokens.AsNoTracking()
                .Where(t => t.OwnerId == caller.Id && t.UsedAt == null && t.ExpiresAt > now).Select(t => t.ExpiresAt).ToListAsync(cancellationToken);
            if (outstanding.Count >= options.Value.Limits.JoinTokensPerUser)
            {
                return JoinTokenResult.Refused(409, "kind",
                    $"you hold {outstanding.Count} unused join tokens, the most one user may (SkillVL:Limits:JoinTokensPerUser): use one, or wait until the first expires at {outstanding.Min():u}.");
            }
        }

        var token = "svl_join_" + ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(24));
        var expires = now + TimeSpan.FromMinutes(minutes);
        db.JoinTokens.Add(new JoinTokenEntity { TokenHash = ApiTokenService.Hash(token), ExpiresAt = expires, CreatedBy = caller.Username, Kind = kind, OwnerId = owner?.Id });
        await db.SaveChangesAsync(cancellationToken);
        return new(new JoinTokenInfo(token, expires, kind, owner?.Username));
    }

    /// <summary>The credential, or why not (for the caller's 4xx and the audit log).</summary>
    public async Task<(EnrolResponse? Enrolled, int Status, string? Problem)> EnrolAsync(EnrolRequest request, CancellationToken cancellationToken)
    {
        if (request.Name is null || !NamePattern().IsMatch(request.Name) || request.Name == "local")
        {
            return (null, 400, "name must be a DNS label (1-32 lowercase letters, digits, '-') other than 'local'.");
        }

        if (request.Kind is not ("server" or "edge" or "client"))
        {
            return (null, 400, "kind must be server, edge or client.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = ApiTokenService.Hash(request.JoinToken ?? "");
        var token = await db.JoinTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow();
        // One answer for unknown, used and expired tokens: a forger learns nothing.
        if (token is null || token.UsedAt is not null || token.ExpiresAt <= now)
        {
            return (null, 401, token switch
            {
                null => "unknown join token",
                { UsedAt: not null } => $"join token already used by node {token.UsedBy}",
                _ => "join token expired",
            });
        }

        // Before anything is claimed: an agent started with the wrong --kind may try again with the same token.
        if (token.Kind is not null && token.Kind != request.Kind)
        {
            return (null, 403, $"this join token enrols a {token.Kind} node, not a {request.Kind} node: start the agent with --kind {token.Kind}.");
        }

        var owner = token.OwnerId is null ? null
            : await db.Users.AsNoTracking().Where(u => u.Id == token.OwnerId).Select(u => new NodeOwner(u.Id, u.Username)).FirstOrDefaultAsync(cancellationToken);
        if (token.OwnerId is not null && owner is null)
        {
            return (null, 403, "the user this join token was made for no longer exists.");
        }

        if (owner is not null && await TooManyClientNodesAsync(db, owner, cancellationToken) is { } full)
        {
            return (null, 409, full);
        }

        if (await db.Nodes.AnyAsync(n => n.Name == request.Name, cancellationToken))
        {
            return (null, 409, $"a node named '{request.Name}' is already enrolled; remove it first (skillvl node remove {request.Name}).");
        }

        var credential = "svl_node_" + ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Claim the token atomically: of two enrolments racing with one token, exactly one changes the row.
        var claimed = await db.JoinTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now).SetProperty(t => t.UsedBy, request.Name), cancellationToken);
        if (claimed != 1)
        {
            return (null, 401, "join token already used");
        }

        db.Nodes.Add(new NodeEntity { Name = request.Name, Kind = request.Kind, CredentialHash = ApiTokenService.Hash(credential), EnrolledAt = now, OwnerId = owner?.Id });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        registry.SetOwner(request.Name, owner);
        registry.Register(new RemoteNodeAgent(new NodeFacts(request.Name, 0, 0, "unknown", request.Kind), consoles));
        return (new EnrolResponse(request.Name, credential), 200, null);
    }

    public async Task<NodeEntity?> AuthenticateAsync(string? credential, CancellationToken cancellationToken)
    {
        if (credential is null || !credential.StartsWith("svl_node_", StringComparison.Ordinal))
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = ApiTokenService.Hash(credential);
        return await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.CredentialHash == hash, cancellationToken);
    }

    public async Task SeenAsync(string name, NodeFacts facts, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Nodes.Where(n => n.Name == name).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.LastSeenAt, time.GetUtcNow()).SetProperty(n => n.FactsJson, JsonSerializer.Serialize(facts, AgentChannel.Json)),
            cancellationToken);
    }

    /// <summary>Registers every enrolled node at start (unreachable until its agent connects).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var owners = await db.Users.AsNoTracking().Where(u => db.Nodes.Any(n => n.OwnerId == u.Id))
            .ToDictionaryAsync(u => u.Id, u => new NodeOwner(u.Id, u.Username), cancellationToken);
        foreach (var node in await db.Nodes.AsNoTracking().ToListAsync(cancellationToken))
        {
            // An owner whose account is gone keeps the node theirs (by id): nobody else's machines go there; an admin removes it.
            registry.SetOwner(node.Name, node.OwnerId is null ? null : owners.GetValueOrDefault(node.OwnerId) ?? new NodeOwner(node.OwnerId, node.OwnerId));
            var facts = node.FactsJson is null ? null : JsonSerializer.Deserialize<NodeFacts>(node.FactsJson, AgentChannel.Json);
            registry.Register(new RemoteNodeAgent(facts ?? new NodeFacts(node.Name, 0, 0, "unknown", node.Kind), consoles));
            registry.SetDrained(node.Name, node.Drained);
        }
    }

    public async Task<bool> SetDrainedAsync(string name, bool drained, CancellationToken cancellationToken)
    {
        if (registry.Find(name) is null)
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Nodes.Where(n => n.Name == name).ExecuteUpdateAsync(s => s.SetProperty(n => n.Drained, drained), cancellationToken);
        registry.SetDrained(name, drained);
        return true;
    }

    /// <summary>Revokes the node's credential; its agent is disconnected and cannot come back without a new join.</summary>
    public async Task<string?> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.FirstOrDefaultAsync(n => n.Name == name, cancellationToken);
        if (node is null)
        {
            return name == "local" ? "The embedded node 'local' cannot be removed." : null;
        }

        if (await db.Machines.AnyAsync(m => m.NodeName == name, cancellationToken))
        {
            return $"Node '{name}' still has machines; delete or move them first.";
        }

        db.Nodes.Remove(node);
        await db.SaveChangesAsync(cancellationToken);
        if (registry.Find(name) is RemoteNodeAgent remote)
        {
            await remote.DisconnectAsync();
        }

        registry.Remove(name);
        return "";
    }

    /// <summary>Why <paramref name="owner"/> may not enrol another client node, or null (SkillVL:Limits:ClientNodesPerUser).</summary>
    private async Task<string?> TooManyClientNodesAsync(SkillVlDbContext db, NodeOwner owner, CancellationToken cancellationToken)
    {
        var names = await db.Nodes.AsNoTracking().Where(n => n.OwnerId == owner.Id && n.Kind == "client")
            .OrderBy(n => n.Name).Select(n => n.Name).ToListAsync(cancellationToken);
        return names.Count < options.Value.Limits.ClientNodesPerUser
            ? null
            : $"{owner.Username} already has {names.Count} client nodes ({string.Join(", ", names)}), the most one user may (SkillVL:Limits:ClientNodesPerUser): "
                + $"remove one first (skillvl node remove {names[0]}).";
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
