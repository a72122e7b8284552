namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// <c>skillvl room import --from containerlab|kypo|ludus FILE</c>: a peer's lab file as a room document. The room is
/// checked as the Server would check it (schema and validator, with every template it names taken as known), so what
/// comes out applies; what the room cannot carry is listed, never dropped silently (ADR 0053).
/// </summary>
public static class LabImporter
{
    /// <summary>The largest lab file read (characters).</summary>
    public const int MaxFileCharacters = ForeignNode.MaxCharacters;

    public static LabImportResult Import(LabFormat format, string text, LabImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        RoomDefinition room;
        ImportContext context;
        try
        {
            context = new ImportContext(options, FormatName(format));
            var source = ForeignNode.Load(text, context.FormatName);
            room = format switch
            {
                LabFormat.Containerlab => ContainerlabImporter.Import(source, context),
                LabFormat.Kypo => KypoImporter.Import(source, context),
                LabFormat.Ludus => LudusImporter.Import(source, context),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a lab format"),
            };
        }
        catch (LabImportException e)
        {
            return LabImportResult.Failed(new ValidationError(e.Path, $"line {e.Line}: {e.Problem}"));
        }

        var errors = Check(room);
        return errors.Count == 0 ? new LabImportResult(room, context.Notes, []) : new LabImportResult(null, context.Notes, errors);
    }

    public static string FormatName(LabFormat format) => format switch
    {
        LabFormat.Containerlab => "containerlab",
        LabFormat.Kypo => "KYPO",
        LabFormat.Ludus => "Ludus",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a lab format"),
    };

    /// <summary>The room as the Server reads it: its YAML through the schema, then the validator.</summary>
    private static List<ValidationError> Check(RoomDefinition room)
    {
        var parsed = RoomDocument.Parse(RoomDocument.ToYaml(room));
        if (parsed.Errors.Count > 0)
        {
            return parsed.Errors.Select(e => e with { Message = "the imported room: " + e.Message }).ToList();
        }

        var context = new RoomValidationContext(
            room.Machines.Select(m => m.Template).ToHashSet(StringComparer.Ordinal), int.MaxValue, long.MaxValue);
        return RoomValidator.Validate(parsed.Definition!, context).Select(e => e with { Message = "the imported room: " + e.Message }).ToList();
    }
}
