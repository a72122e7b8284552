namespace SkillVL.Server.Data;

/// <summary>
/// Where the Server keeps its state (<c>SkillVL:Database</c>): the embedded SQLite file in the data directory (the
/// default: nothing to set up), or a PostgreSQL server for an installation that runs its services on one (issue 16).
/// </summary>
public sealed class DatabaseOptions
{
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>
    /// For <c>postgres</c>: an Npgsql connection string without a password, e.g.
    /// <c>Host=/run/postgresql;Database=skillvl;Username=skillvl</c> (peer authentication over the unix socket) or
    /// <c>Host=db.example.org;Database=skillvl;Username=skillvl;SSL Mode=VerifyFull</c> with <see cref="PasswordFile"/>.
    /// A password written here is refused: configuration files are read by more people than a secret should be.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>For <c>postgres</c>: a file holding the password (its first line), readable by its owner only (0600 or 0400).</summary>
    public string PasswordFile { get; set; } = "";

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings, naming the setting, or null.</summary>
    public string? Invalid()
    {
        if (!string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase) && !IsPostgres)
        {
            return $"SkillVL:Database:Provider is '{Provider}': it must be '{SqliteProvider}' or '{PostgresProvider}'";
        }

        if (!IsPostgres)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return "SkillVL:Database:ConnectionString is empty: the postgres provider needs one (Host=…;Database=…;Username=…)";
        }

        Npgsql.NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            return $"SkillVL:Database:ConnectionString is not a valid connection string: {e.Message}";
        }

        if (!string.IsNullOrEmpty(parsed.Password) || !string.IsNullOrEmpty(parsed.Passfile))
        {
            return "SkillVL:Database:ConnectionString holds a password (or Passfile): put the password in a file of its own, "
                + "readable by the Server's user only, and name it in SkillVL:Database:PasswordFile";
        }

        if (string.IsNullOrEmpty(parsed.Database))
        {
            return "SkillVL:Database:ConnectionString names no Database";
        }

        return null;
    }
}
