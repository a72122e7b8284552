// A course as its teacher sees it: the class view (every student's instance: state, last activity, checks; start / stop /
// reset / run checks for a selection or all), the state and node of each machine, one click
// to any machine's screen, reset and upgrade per instance, enrolment (a user list for admins, invite codes), its
// settings, publishing the next room version, and the course's placement policy.

import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/api';
import { num } from '../api/client';
import type { RoomDetails } from '../api/types';
import { ErrorBox, Loading } from '../components/common';
import { useAsync } from '../hooks/useAsync';
import { CourseSettings } from './course/CourseSettings';
import { EnrolForm } from './course/EnrolForm';
import { InviteForm } from './course/InviteForm';
import { InstanceTable } from './course/InstanceTable';
import { PlacementPolicyPanel } from './course/PlacementPolicyPanel';
import { PublishPanel } from './course/PublishPanel';

/** How often the instances' states are read again (the course page has no SSE stream of its own). */
const REFRESH_MS = 3000;

export function CoursePage() {
  const { course = '' } = useParams();
  const info = useAsync((signal) => api.get('/api/v1/courses/{course}', { path: { course }, signal }), [course]);
  const versions = useAsync((signal) => api.get('/api/v1/courses/{course}/versions', { path: { course }, signal }), [course]);
  const students = useAsync(
    async (signal) => {
      const list = await api.get('/api/v1/courses/{course}/students', { path: { course }, signal });
      // Each instance's machines (state, node): the room a teacher of the course may read.
      const rooms = await Promise.all(
        list.map((s) =>
          s.instance
            ? api.get('/api/v1/rooms/{room}', { path: { room: s.instance.roomId }, signal }).catch((): RoomDetails | null => null)
            : Promise.resolve(null),
        ),
      );
      return list.map((student, i) => ({ student, room: rooms[i] }));
    },
    [course],
    REFRESH_MS,
  );
  const [status, setStatus] = useState('');
  const changed = useCallback(
    (message: string) => {
      setStatus(message);
      students.reload();
      versions.reload();
      info.reload();
    },
    [students, versions, info],
  );

  if (info.error && !info.data) return <ErrorBox error={info.error} />;
  if (!info.data) return <Loading what="the course" />;
  const c = info.data;
  const latest = num(c.latestVersion);
  const template = students.data?.find((s) => s.room)?.room?.definition;
  const latestRoomName = versions.data?.find((v) => num(v.version) === latest)?.roomName;

  return (
    <main className="page">
      <h1>
        {c.name}
        {c.title ? ` — ${c.title}` : ''}
      </h1>
      <p className="muted">
        teacher {c.teacher} · {num(c.students)} students · {latest ? `published version ${latest}` : 'nothing published yet'}
      </p>
      <p role="status" aria-live="polite" className="muted">
        {status}
      </p>

      <section aria-labelledby="instances-heading">
        <h2 id="instances-heading">Students and their instances</h2>
        <ErrorBox error={students.error} />
        {students.data ? (
          <InstanceTable course={c.name} rows={students.data} latestVersion={latest} onChanged={changed} />
        ) : (
          <Loading what="the students" />
        )}
        <EnrolForm course={c.name} enrolled={students.data?.map((s) => s.student.username) ?? []} onChanged={changed} />
        <InviteForm course={c.name} />
      </section>

      <CourseSettings key={c.id} course={c} onChanged={changed} />

      <PublishPanel
        course={c.name}
        nextVersion={latest + 1}
        versions={versions.data ?? []}
        initial={template ? { definition: template, name: latestRoomName ?? c.name } : { name: c.name }}
        onPublished={changed}
      />
      <PlacementPolicyPanel course={c.name} />
      <p className="muted small">
        <Link to="/courses">All courses</Link>
      </p>
    </main>
  );
}
