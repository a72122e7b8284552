import { useMemo, useState } from 'react';
import { api } from '../../api/api';
import { num } from '../../api/client';
import type { CourseVersionInfo, RoomDefinition } from '../../api/types';
import { ErrorBox } from '../../components/common';
import { RoomDocument } from '../../model/roomDocument';

export interface PublishStart {
  /** A definition to start from (a student's instance of the latest version), else an empty room. */
  definition?: RoomDefinition;
  /** The room name of the published version. */
  name: string;
}

/** The published versions, and a room.yaml editor that publishes the next one. */
export function PublishPanel({
  course,
  nextVersion,
  versions,
  initial,
  onPublished,
}: {
  course: string;
  nextVersion: number;
  versions: CourseVersionInfo[];
  initial: PublishStart;
  onPublished: (message: string) => void;
}) {
  const start = useMemo(
    () =>
      initial.definition
        ? RoomDocument.fromObject({ ...initial.definition, metadata: { ...initial.definition.metadata, name: initial.name } }).text
        : RoomDocument.create(initial.name).text,
    [initial.definition, initial.name],
  );
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<CourseVersionInfo | null>(null);
  const yaml = text ?? start;
  const issues = useMemo(() => RoomDocument.parse(yaml).issues, [yaml]);

  const publish = async () => {
    setBusy(true);
    setError(undefined);
    setResult(null);
    try {
      const version = await api.post('/api/v1/courses/{course}/versions', { path: { course }, raw: { text: yaml, contentType: 'application/yaml' } });
      setResult(version);
      onPublished(`Version ${num(version.version)} published; ${num(version.instancesCreated)} new instances.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="publish-heading">
      <h2 id="publish-heading">Room versions</h2>
      {versions.length > 0 && (
        <table className="table narrow">
          <caption className="sr-only">Published versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Room</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={num(v.version)}>
                <td>v{num(v.version)}</td>
                <td>{v.roomName}</td>
                <td>{new Date(v.publishedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label htmlFor="publish-yaml">room.yaml of version {nextVersion}</label>
      <textarea
        id="publish-yaml"
        className="yaml-editor"
        rows={14}
        spellCheck={false}
        value={yaml}
        onChange={(e) => setText(e.target.value)}
        aria-describedby="publish-help"
      />
      <p id="publish-help" className="muted small">
        Publishing gives every student without an instance one of the new version. Existing instances keep their version until you upgrade
        them (Upgrade) or the student does.
      </p>
      {issues.length > 0 && (
        <ErrorBox>
          <ul>
            {issues.map((i, n) => (
              <li key={n}>
                {i.line ? `line ${i.line}: ` : ''}
                {i.message}
              </li>
            ))}
          </ul>
        </ErrorBox>
      )}
      <ErrorBox error={error} />
      {result && (
        <div className="info-box" role="status">
          Version {num(result.version)} ({result.roomName}) published: {num(result.instancesCreated)} new instances.
          {result.problems && result.problems.length > 0 && (
            <ul>
              {result.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={busy || issues.length > 0} onClick={() => void publish()}>
          Publish version {nextVersion}
        </button>
      </div>
    </section>
  );
}
