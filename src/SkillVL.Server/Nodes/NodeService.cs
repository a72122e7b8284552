using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SkillVL.Agent.Remote;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Nodes;

/// <summary>
/// Node enrolment: one-time join tokens (hashed, expiring, single use) are exchanged for a node credential
/// (hashed); the credential authenticates the agent's connection. Revoking a node deletes its credential and
/// closes its connection.
/// </summary>
public sealed partial class NodeService(IDbContextFactory<SkillVlDbContext> dbFactory, NodeRegistry registry, TimeProvider time)
{
    public async Task<JoinTokenInfo> CreateJoinTokenAsync(string createdBy, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = "svl_join_" + ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(24));
        var expires = time.GetUtcNow() + lifetime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.JoinTokens.Add(new JoinTokenEntity { TokenHash = ApiTokenService.Hash(token), ExpiresAt = expires, CreatedBy = createdBy });
        await db.SaveChangesAsync(cancellationToken);
        return new JoinTokenInfo(token, expires);
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

        db.Nodes.Add(new NodeEntity { Name = request.Name, Kind = request.Kind, CredentialHash = ApiTokenService.Hash(credential), EnrolledAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        registry.Register(new RemoteNodeAgent(new NodeFacts(request.Name, 0, 0, "unknown", request.Kind)));
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
        foreach (var node in await db.Nodes.AsNoTracking().ToListAsync(cancellationToken))
        {
            var facts = node.FactsJson is null ? null : JsonSerializer.Deserialize<NodeFacts>(node.FactsJson, AgentChannel.Json);
            registry.Register(new RemoteNodeAgent(facts ?? new NodeFacts(node.Name, 0, 0, "unknown", node.Kind)));
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

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
