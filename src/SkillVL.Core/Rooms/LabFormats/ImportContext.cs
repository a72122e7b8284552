using System.Globalization;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>What one import collects while it reads: its notes, the names given out, templates chosen for images, and
/// the networks' address ranges (so a network the source leaves unaddressed gets a /24 no other network overlaps).</summary>
internal sealed class ImportContext(LabImportOptions options, string formatName)
{
    private readonly List<ImportNote> _notes = [];
    private readonly HashSet<string> _imagesNoted = new(StringComparer.Ordinal);
    private readonly List<Ipv4Cidr> _ranges = [];

    public LabImportOptions Options { get; } = options;

    public string FormatName { get; } = formatName;

    public LabNames Machines { get; } = new();

    public LabNames Networks { get; } = new();

    public LabNames Routers { get; } = new();

    public IReadOnlyList<ImportNote> Notes => _notes;

    public void Note(ForeignNode at, string message) => _notes.Add(at.Note(message));

    /// <summary>Every key of <paramref name="node"/> the importer does not read gets a note: known ones with their reason,
    /// others as not part of the format as this importer knows it.</summary>
    public void NoteOthers(ForeignNode node, IReadOnlySet<string> read, IReadOnlyDictionary<string, string> known)
    {
        foreach (var (key, value) in node.Entries())
        {
            if (!read.Contains(key))
            {
                Note(value, known.TryGetValue(key, out var why) ? $"not mapped: {why}" : $"not mapped: not a {FormatName} key this importer knows");
            }
        }
    }

    /// <summary>The room name: the option, else the source's, else the file's; a valid name in any case.</summary>
    public string RoomName(string? sourceName)
    {
        var file = Options.FileName is null ? null : Path.GetFileName(Options.FileName).Split('.')[0];
        return LabNames.Slug(Options.Name ?? "") ?? LabNames.Slug(sourceName ?? "") ?? LabNames.Slug(file ?? "") ?? "imported-lab";
    }

    /// <summary>The template for a source image: mapped, else the default, with one note per unmapped image.</summary>
    public string Template(ForeignNode at, string? image)
    {
        if (image is not null && Options.Templates.TryGetValue(image, out var template))
        {
            return template;
        }

        if (_imagesNoted.Add(image ?? ""))
        {
            Note(at, image is null
                ? $"no image: the machine gets template '{Options.DefaultTemplate}'"
                : $"image '{image}' has no template here: machines of it get '{Options.DefaultTemplate}' (--template '{image}=NAME' maps it)");
        }

        return Options.DefaultTemplate;
    }

    /// <summary>Records a range the source gives, so ranges chosen later avoid it.</summary>
    public void Claim(Ipv4Cidr cidr) => _ranges.Add(cidr);

    /// <summary>A /24 in 10.200.0.0/16 that overlaps no range claimed so far (then claimed).</summary>
    public string FreeRange(ForeignNode at)
    {
        for (var third = 1; third < 256; third++)
        {
            var candidate = Ipv4Cidr.Parse(string.Create(CultureInfo.InvariantCulture, $"10.200.{third}.0/24"));
            if (!_ranges.Any(r => r.Overlaps(candidate)))
            {
                _ranges.Add(candidate);
                return candidate.ToString();
            }
        }

        throw at.Error("no free /24 left in 10.200.0.0/16 for this network");
    }
}
