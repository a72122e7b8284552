import { Link } from 'react-router';
import { api } from '../api/api';
import { num } from '../api/client';
import type { QuotaUsage } from '../api/types';
import { ErrorBox, formatBytes, Loading, PhaseBadge } from '../components/common';
import { CourseTable } from '../components/CourseTable';
import { RecommendationList } from '../components/RecommendationList';
import { useAsync } from '../hooks/useAsync';

export function HomePage() {
  const rooms = useAsync((signal) => api.get('/api/v1/rooms', { signal }), [], 5000);
  const courses = useAsync((signal) => api.get('/api/v1/courses', { signal }), []);
  const me = useAsync((signal) => api.get('/api/v1/me', { signal }), []);

  return (
    <main className="page">
      <h1>{me.data ? `Hello, ${me.data.user.displayName ?? me.data.user.username}` : 'SkillVL'}</h1>
      <div className="actions">
        <Link className="button primary" to="/rooms/new/quick">
          Quick start
        </Link>
        <Link className="button" to="/rooms/new">
          New room in the designer
        </Link>
      </div>

      <RecommendationList limit={3} />

      <section aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">My rooms</h2>
        <ErrorBox error={rooms.error} />
        {rooms.loading && !rooms.data ? (
          <Loading what="rooms" />
        ) : rooms.data?.length === 0 ? (
          <p className="muted">No rooms yet. Start with a quick-start room.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Room</th>
                <th scope="col">Phase</th>
                <th scope="col">Machines running</th>
                <th scope="col">Owner</th>
                <th scope="col">Course</th>
              </tr>
            </thead>
            <tbody>
              {rooms.data?.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/rooms/${encodeURIComponent(r.id)}`}>{r.name}</Link>
                  </td>
                  <td>
                    <PhaseBadge phase={r.phase} />
                  </td>
                  <td>
                    {num(r.machinesRunning)} / {num(r.machines)}
                  </td>
                  <td>{r.owner ?? '—'}</td>
                  <td>{r.course ? `${r.course}${r.courseVersion != null ? ` v${num(r.courseVersion)}` : ''}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="courses-heading">
        <h2 id="courses-heading">My courses</h2>
        <ErrorBox error={courses.error} />
        {courses.data?.length === 0 && <p className="muted">You are in no course.</p>}
        {courses.data && courses.data.length > 0 && (
          // Its teacher (and an admin) manage a course on its page; students see it here.
          <CourseTable courses={courses.data} linked={(c) => me.data?.user.role === 'admin' || me.data?.user.username === c.teacher} />
        )}
      </section>

      <section aria-labelledby="quota-heading">
        <h2 id="quota-heading">My quota</h2>
        <ErrorBox error={me.error} />
        {me.data && <QuotaTable quota={me.data.quota} />}
        {me.data && (
          <p className="muted small">
            Signed in as {me.data.user.username} ({me.data.user.role}) via {me.data.authenticatedBy}.
          </p>
        )}
      </section>
    </main>
  );
}

function QuotaTable({ quota }: { quota: QuotaUsage }) {
  const limit = (v: number | string | null | undefined, format: (n: number) => string) => (v == null ? 'no limit' : format(num(v)));
  const rows: [string, string, string][] = [
    ['CPUs', String(num(quota.cpus)), limit(quota.limits.cpus, String)],
    ['Memory', formatBytes(num(quota.memoryBytes)), limit(quota.limits.memoryBytes, formatBytes)],
    ['Disk', formatBytes(num(quota.diskBytes)), limit(quota.limits.diskBytes, formatBytes)],
    ['Running VMs', String(num(quota.runningVms)), limit(quota.limits.runningVms, String)],
  ];
  return (
    <table className="table narrow">
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">In use</th>
          <th scope="col">Limit</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, used, max]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{used}</td>
            <td>{max}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
