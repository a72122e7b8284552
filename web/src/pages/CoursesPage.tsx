// The courses the caller teaches or is enrolled in (admin: all), each linking to its course page.

import { Link } from 'react-router';
import { api } from '../api/api';
import { num } from '../api/client';
import { ErrorBox, Loading } from '../components/common';
import { useAsync } from '../hooks/useAsync';

export function CoursesPage() {
  const courses = useAsync((signal) => api.get('/api/v1/courses', { signal }), []);
  return (
    <main className="page">
      <h1>Courses</h1>
      <ErrorBox error={courses.error} />
      {courses.loading && !courses.data ? (
        <Loading what="courses" />
      ) : courses.data?.length === 0 ? (
        <p className="muted">No courses yet. Create one with `skillvl course create NAME`.</p>
      ) : (
        <table className="table">
          <caption className="sr-only">Courses</caption>
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Title</th>
              <th scope="col">Teacher</th>
              <th scope="col">Students</th>
              <th scope="col">Published version</th>
            </tr>
          </thead>
          <tbody>
            {courses.data?.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/courses/${encodeURIComponent(c.name)}`}>{c.name}</Link>
                </td>
                <td>{c.title ?? ''}</td>
                <td>{c.teacher}</td>
                <td>{num(c.students)}</td>
                <td>{num(c.latestVersion) || 'none yet'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
