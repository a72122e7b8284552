using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SkillVL.Server.Data;

/// <summary>
/// PostgreSQL's mapping of every <see cref="DateTimeOffset"/> (ADR 0049): the column is <c>timestamptz</c>, which keeps
/// an instant and no offset, and Npgsql refuses to write a value whose offset is not zero. The Server's times come from
/// <see cref="TimeProvider.GetUtcNow"/> and are UTC already; this is the one place where any other offset (a time parsed
/// from input, a row copied by <c>admin migrate-db</c>) becomes the same instant in UTC, for stored values and for query
/// parameters compared with a column alike. Read back, a value has offset zero.
/// </summary>
public sealed class UtcDateTimeOffsetConverter : ValueConverter<DateTimeOffset, DateTimeOffset>
{
    public UtcDateTimeOffsetConverter()
        : base(v => v.ToUniversalTime(), v => v)
    {
    }
}
