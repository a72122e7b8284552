namespace SkillVL.Cli.Input;

/// <summary>A room document as read from a file or stdin, to be sent unchanged.</summary>
/// <param name="Name">metadata.name, which the PUT URL needs.</param>
/// <param name="Text">The document's text, as written.</param>
/// <param name="MediaType">application/yaml or application/json.</param>
/// <param name="Source">The file name, or "stdin", for messages.</param>
internal sealed record RoomFile(string Name, string Text, string MediaType, string Source);
