using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Identifiers;
using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// Personal API tokens: "svl_pat_" + 256 random bits. Only the SHA-256 is stored; a looked-up token is cached
/// until it is revoked (which takes effect at once) so a request costs one hash, not a query. A token made with
/// another API token records it as its parent and is revoked with it (ADR 0015).
/// </summary>
public sealed class ApiTokenService(IDbContextFactory<SkillVlDbContext> dbFactory, TimeProvider time)
{
    public const string Prefix = "svl_";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, ApiTokenEntity> _byHash = new(StringComparer.Ordinal);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewSecret() => "svl_pat_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<(ApiTokenEntity Entity, string Secret)> CreateAsync(
        string userId, string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt, string? parentId, CancellationToken cancellationToken, string? secret = null)
    {
        secret ??= NewSecret();
        var now = time.GetUtcNow();
        var entity = new ApiTokenEntity
        {
            Id = ShortId.New(),
            UserId = userId,
            Name = name,
            SecretHash = Hash(secret),
            Scopes = string.Join(' ', scopes),
            CreatedAt = now,
            ExpiresAt = expiresAt,
            ParentId = parentId,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return (entity, secret);
    }

    /// <summary>The live (known, unexpired) token, or null.</summary>
    public async Task<ApiTokenEntity?> ValidateAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        var now = time.GetUtcNow();
        if (!_byHash.TryGetValue(hash, out var token))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.SecretHash == hash, cancellationToken);
            if (token is null)
            {
                return null;
            }

            _byHash[hash] = token;
        }

        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return null;
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            token.LastUsedAt = now;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return token;
    }

    /// <summary>A token by id (uncached: only token creation asks, for the parent's expiry and scopes).</summary>
    public async Task<ApiTokenEntity?> FindAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
    }

    /// <summary>Revokes a token and every token made with it, their children included.</summary>
    public async Task<bool> RevokeAsync(string userId, string tokenId, bool anyUser, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && (anyUser || t.UserId == userId), cancellationToken);
        if (token is null)
        {
            return false;
        }

        // Children belong to the same user (a token only makes tokens for its own user): one query finds them all.
        var all = await db.ApiTokens.Where(t => t.UserId == token.UserId).ToListAsync(cancellationToken);
        var doomed = new List<ApiTokenEntity> { token };
        for (var i = 0; i < doomed.Count; i++)
        {
            doomed.AddRange(all.Where(t => t.ParentId == doomed[i].Id));
        }

        db.ApiTokens.RemoveRange(doomed);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var gone in doomed)
        {
            _byHash.TryRemove(gone.SecretHash, out _);
        }

        await RevokeOrphansAsync(token.UserId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Revokes tokens whose parent is gone: a child created while its parent was being revoked (after the list
    /// above was read) would otherwise survive. Token creation calls it too, after its insert, for the other order.
    /// </summary>
    public async Task RevokeOrphansAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            var orphans = await db.ApiTokens
                .Where(t => t.UserId == userId && t.ParentId != null && !db.ApiTokens.Any(p => p.Id == t.ParentId))
                .ToListAsync(cancellationToken);
            if (orphans.Count == 0)
            {
                return;
            }

            db.ApiTokens.RemoveRange(orphans);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var gone in orphans)
            {
                _byHash.TryRemove(gone.SecretHash, out _);
            }
        }
    }

    /// <summary>Revokes every token of a user (a password reset, or a change that asked for it); how many there were.</summary>
    public async Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await db.ApiTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        ForgetUser(userId);
        return count;
    }

    /// <summary>Drops every cached token of a user (after the user is deleted).</summary>
    public void ForgetUser(string userId)
    {
        foreach (var entry in _byHash.Where(e => e.Value.UserId == userId).ToList())
        {
            _byHash.TryRemove(entry.Key, out _);
        }
    }

    public static ApiTokenInfo ToInfo(ApiTokenEntity token) =>
        new(token.Id, token.Name, token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), token.CreatedAt, token.ExpiresAt, token.LastUsedAt);

    public static bool IsKnownScope(string scope) => ApiTokenScopes.All.Contains(scope, StringComparer.Ordinal);
}
