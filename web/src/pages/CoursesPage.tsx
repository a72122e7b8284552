// The courses the caller teaches or is enrolled in (admin: all), each linking to its course page.

import { api } from '../api/api';
import { ErrorBox, Loading } from '../components/common';
import { CourseTable } from '../components/CourseTable';
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
        courses.data && <CourseTable courses={courses.data} linked={() => true} />
      )}
    </main>
  );
}
