using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Identifiers;
using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// Users by id, with a small cache so authenticating a request rarely touches the database: local accounts
/// (password check) and external users provisioned on their first token (issuer + subject).
/// </summary>
public sealed class UserDirectory(IDbContextFactory<SkillVlDbContext> dbFactory, TimeProvider time)
{
    private static readonly PasswordHasher<UserEntity> Hasher = new();
    private readonly ConcurrentDictionary<string, UserEntity> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserEntity> _byExternal = new(StringComparer.Ordinal);
    private long _epoch;

    public async Task<UserEntity?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        if (_byId.TryGetValue(id, out var cached))
        {
            return cached;
        }

        // A read that began before an Invalidate may hold the old row (the old role, no DisabledAt): it is returned to
        // its own request but not cached, or the change would be undone for every later request (ADR 0043).
        var epoch = Interlocked.Read(ref _epoch);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is not null && Interlocked.Read(ref _epoch) == epoch)
        {
            _byId[id] = user;
        }

        return user;
    }

    /// <summary>The local account when the password matches; null otherwise (same answer for unknown users).</summary>
    public async Task<UserEntity?> CheckPasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
        if (user?.PasswordHash is null)
        {
            // Hash anyway, so the response time does not tell whether the user exists.
            Hasher.HashPassword(new UserEntity { Id = "x", Username = "x", Role = "x" }, password);
            return null;
        }

        return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    public static string HashPassword(UserEntity user, string password) => Hasher.HashPassword(user, password);

    /// <summary>The user an external token names: provisioned on first sight, role and username kept current.</summary>
    public async Task<UserEntity> ResolveExternalAsync(string issuer, string subject, string username, string? role, CancellationToken cancellationToken)
    {
        var key = issuer + "\n" + subject;
        var effectiveRole = role ?? PlatformRoles.Student;
        if (_byExternal.TryGetValue(key, out var cached) && cached.Role == effectiveRole && cached.Username == username)
        {
            return cached;
        }

        var epoch = Interlocked.Read(ref _epoch);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.ExternalIssuer == issuer && u.ExternalSubject == subject, cancellationToken);
        if (user is null)
        {
            var name = await db.Users.AnyAsync(u => u.Username == username, cancellationToken) ? $"{username}-{ShortId.New()[..6]}" : username;
            user = new UserEntity
            {
                Id = ShortId.New(),
                Username = name,
                Role = effectiveRole,
                ExternalIssuer = issuer,
                ExternalSubject = subject,
                CreatedAt = time.GetUtcNow(),
            };
            db.Users.Add(user);
        }
        else
        {
            // A role that maps to nothing leaves the stored role alone (the request is refused anyway).
            user.Role = role ?? user.Role;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (Interlocked.Read(ref _epoch) == epoch)
        {
            _byExternal[key] = user;
            _byId[user.Id] = user;
        }

        return user;
    }

    /// <summary>Forget a user after a change (role, quota, disabled, deletion).</summary>
    public void Invalidate(string userId)
    {
        Interlocked.Increment(ref _epoch);
        _byId.TryRemove(userId, out _);
        foreach (var entry in _byExternal.Where(e => e.Value.Id == userId).ToList())
        {
            _byExternal.TryRemove(entry.Key, out _);
        }
    }
}
