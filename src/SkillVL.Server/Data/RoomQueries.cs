using Microsoft.EntityFrameworkCore;

namespace SkillVL.Server.Data;

/// <summary>How a room is read with its networks, machines and NICs — in one place, because how matters.</summary>
public static class RoomQueries
{
    /// <summary>
    /// The rooms with their networks, machines and the machines' NICs, read by ONE SQL statement (one snapshot). A split
    /// query (a statement per collection) read outside a snapshot transaction tears when a room changes between its
    /// statements: a reset that replaced another room's machines after the machines were read but before the NICs were
    /// left every machine with no NIC in EF's stitching (EF 10 does not detect it). It tore on PostgreSQL, where Npgsql
    /// runs the statements one after another, each its own READ COMMITTED snapshot; SQLite kept the first statement's
    /// snapshot for the rest. To the reconciler a machine without its NIC is a changed spec hash, so it restarted a running
    /// VM of an untouched room — a course test saw a student's guest reboot while the teacher reset another student's
    /// instance (CI, PostgreSQL). The single statement costs networks × NICs rows per room, a few hundred for a large
    /// course instance.
    /// </summary>
    public static IQueryable<RoomEntity> WithChildren(this IQueryable<RoomEntity> rooms) =>
        rooms.Include(r => r.Networks)
            .Include(r => r.Machines).ThenInclude(m => m.Nics)
            .AsSingleQuery();

    /// <summary>
    /// The room aggregate as every reader reads it: untracked, with its networks, machines and NICs. One copy here, not
    /// one per reader (the HTTP API, the reconciler, courses, consoles, migrations, recommendations) — and none reached
    /// through the HTTP layer (ADR 0048).
    /// </summary>
    public static IQueryable<RoomEntity> ReadRooms(this SkillVlDbContext db) =>
        db.Rooms.AsNoTracking().WithChildren();
}
